import { CounterBuffer } from '@shop/util';
import type { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { decodeEntry, type StoredEntry } from './cache-entry';
import type { CacheKeys } from './cache-keys';
import type { CacheMetrics } from './cache-metrics';
import type { ResolvedCacheOptions } from './cache-options';
import type { CacheEvents, CacheSource, EntryOptions, LoadOptions } from './cache-types';
import { EntryBuilder } from './entry-builder';
import type { InvalidationLedger, LedgerTicket } from './invalidation/invalidation-ledger';
import type { L1Entry, MemoryTier } from './l1/memory-tier';
import type { RedisTier } from './l2/redis-tier';
import { VersionStore } from './l2/version-store';
import { LoadRunner } from './load-runner';
import { SingleFlight } from './resilience/single-flight';

/** What the cache facade shares with the read and load path. */
export interface CacheParts {
  options: ResolvedCacheOptions;
  keys: CacheKeys;
  l1: MemoryTier;
  l2: RedisTier;
  versions: VersionStore;
  ledger: InvalidationLedger;
  entries: EntryBuilder;
  metrics: CacheMetrics;
  events: EventEmitter<CacheEvents>;
  /** False until the bus (and tracking) first listen: invalidations would go unheard, L1 serves no hits. */
  l1Trusted: () => boolean;
}

export interface Sourced<T> {
  value: T;
  source: CacheSource;
}

interface Found {
  value: unknown;
  fresh: boolean;
  createdAt: number;
}

/**
 * Load coordination: reads through L1 and L2 and get-or-set with a cross-instance lease, stale values
 * within grace and refresh-ahead; running a loader (timeouts, storing its result under the lease) is
 * `LoadRunner`'s (`load-runner.ts`). Ordering rules it keeps:
 * - every read or load takes a ledger ticket first; it caches nothing if its key, one of its tags, or
 *   everything was invalidated after that (checked right before L1 and before the L2 write);
 * - tag and namespace versions are captured before the loader runs and stored with its result, so a
 *   bump during the load leaves the entry stale at once on every instance;
 * - L2 is written by a load only while it holds the lease (`STORE_IF_LEASED`); set()/delete() void it.
 */
export class LoadCoordinator {
  private readonly flights = new SingleFlight();
  private readonly runner: LoadRunner;
  // Counted in plain numbers, handed to the counters at each scrape: a labelled child's inc() hashes
  // and validates its labels on every call, a visible share of an L1 hit.
  private readonly l1Hits: { inc(): void };
  private readonly l1Misses: { inc(): void };
  private readonly l2Hits: { inc(): void };
  private readonly l2Misses: { inc(): void };

  constructor(private readonly parts: CacheParts) {
    const cache = parts.options.name;
    const hits = new CounterBuffer(parts.metrics.hits);
    const misses = new CounterBuffer(parts.metrics.misses);
    this.l1Hits = hits.child({ cache, tier: 'l1' });
    this.l1Misses = misses.child({ cache, tier: 'l1' });
    this.l2Hits = hits.child({ cache, tier: 'l2' });
    this.l2Misses = misses.child({ cache, tier: 'l2' });
    this.runner = new LoadRunner(parts, (...args) => this.toL1(...args));
  }

  /** A fresh, current L1 entry, without any I/O; drops an entry whose tags were invalidated. */
  peekL1(fullKey: string, countMiss = true): L1Entry | undefined {
    const { l1, versions, events } = this.parts;
    const local = l1.get(fullKey);
    if (!local || !this.parts.l1Trusted() || local.expiresAt <= Date.now()) {
      if (countMiss) this.l1Misses.inc();
      return undefined;
    }
    if (local.tagCount > 0) {
      const current = versions.known(Object.keys(local.tags));
      if (!current || !VersionStore.matches(local.tags, current)) {
        l1.delete(fullKey);
        if (countMiss) this.l1Misses.inc();
        return undefined;
      }
    }
    this.l1Hits.inc();
    if (events.listenerCount('hit') > 0) events.emit('hit', fullKey, 'l1');
    return local;
  }

  /** `get()` past L1: the L2 entry (fresh or within grace), filling L1 with the per-call options. */
  async read(fullKey: string, tags: string[], options: EntryOptions): Promise<Found | undefined> {
    const ticket = this.parts.ledger.begin();
    try {
      return await this.lookup(fullKey, tags, options, ticket);
    } finally {
      this.parts.ledger.end(ticket);
    }
  }

  /** Cache-aside past L1: one load per key in this process, one across instances (the lease). */
  getOrLoad<T>(
    fullKey: string,
    tags: string[],
    loader: () => Promise<T> | T,
    options: LoadOptions,
  ): Promise<Sourced<T>> {
    return this.flights.run(fullKey, () => this.fetchOrLoad(fullKey, tags, loader, options));
  }

  /** A hit late in its TTL reloads in the background (one instance at a time: it takes the lease). */
  maybeRefreshAhead<T>(
    fullKey: string,
    createdAt: number,
    loader: () => Promise<T> | T,
    options: LoadOptions,
  ): void {
    const ratio = this.parts.options.refreshAhead;
    if (ratio <= 0) return;
    const ttl = this.parts.entries.ttlOf(options); // Infinity for 'never': never due
    if (Date.now() - createdAt < ttl * ratio) return;
    void this.flights
      .run(`${fullKey}#refresh`, async () => {
        const tags = this.parts.keys.tags(options);
        const token = randomUUID();
        const leaseKey = this.parts.keys.lease(fullKey);
        const lease = await this.parts.l2.acquireLease(leaseKey, token, this.parts.options.lockTimeoutMs);
        if (lease === 'busy') return; // another instance is loading or refreshing it
        const ticket = this.parts.ledger.begin();
        const versions = await this.parts.versions.current(tags);
        const held = lease === 'acquired' ? { leaseKey, token } : undefined;
        await this.runner.run(fullKey, tags, versions, loader, options, undefined, held, ticket);
      })
      .catch(() => undefined);
  }

  /** A usable-but-expired L1 entry (within grace) to fall back on. */
  private staleL1(fullKey: string): L1Entry | undefined {
    const local = this.parts.l1.get(fullKey);
    if (!local || local.staleUntil <= Date.now()) return undefined;
    const current = this.parts.versions.known(Object.keys(local.tags));
    return current && VersionStore.matches(local.tags, current) ? local : undefined;
  }

  private async lookup(
    fullKey: string,
    tags: string[],
    options: EntryOptions,
    ticket: LedgerTicket,
    prefetched?: string | null,
  ): Promise<Found | undefined> {
    const { l2, keys, versions, events } = this.parts;
    const now = Date.now();
    // Callers have already counted their L1 miss; this second look only catches a concurrent fill.
    const local = this.peekL1(fullKey, false);
    if (local) return { value: EntryBuilder.valueOf(local), fresh: true, createdAt: local.createdAt };
    const stale = this.staleL1(fullKey);
    const text = prefetched !== undefined ? prefetched : await l2.get(keys.l2(fullKey));
    const stored = text ? decodeEntry(text) : undefined;
    if (!stored || !text) {
      this.l2Misses.inc();
      events.emit('miss', fullKey);
      return stale
        ? { value: EntryBuilder.valueOf(stale), fresh: false, createdAt: stale.createdAt }
        : undefined;
    }
    const entryTags = Object.keys(stored.t);
    // Untagged entries (most of them) need no version check: skip the async hop on the hot path.
    const current =
      entryTags.length === 0 && tags.length === 0
        ? stored.t
        : await versions.current([...new Set([...entryTags, ...tags])]);
    if (!current || !VersionStore.matches(stored.t, current)) {
      this.l2Misses.inc();
      return undefined; // invalidated by a tag or namespace bump (or versions unknowable): not even stale
    }
    const fresh = stored.e > now;
    // An invalidation seen while Redis answered may have been about this very value: don't keep it in L1.
    if ((fresh || stored.g > now) && !this.parts.ledger.invalidated(ticket, fullKey, entryTags))
      this.toL1(fullKey, stored, text, options);
    if (fresh) this.l2Hit(fullKey);
    return fresh || stored.g > now ? { value: stored.v, fresh, createdAt: stored.c } : undefined;
  }

  private async fetchOrLoad<T>(
    fullKey: string,
    tags: string[],
    loader: () => Promise<T> | T,
    options: LoadOptions,
  ): Promise<Sourced<T>> {
    const { l2, keys, ledger, versions } = this.parts;
    const lockMs = this.parts.options.lockTimeoutMs;
    const ticket = ledger.begin();
    let handedOver = false; // once the loader runs, the ticket ends with the load (maybe in the background)
    try {
      const token = randomUUID();
      const l2Key = keys.l2(fullKey);
      const leaseKey = keys.lease(fullKey);
      // One round trip: the L2 entry, or (if there is none) the load lease.
      const fetched = await l2.getOrLease(l2Key, leaseKey, token, lockMs);
      let lease = fetched.lease;
      const found = await this.lookup(fullKey, tags, options, ticket, fetched.text);
      if (found?.fresh) return { value: found.value as T, source: 'hit' };
      if (fetched.text !== null) lease = await l2.acquireLease(leaseKey, token, lockMs); // present but unusable
      if (lease === 'busy') {
        // Another instance is loading it: wait for its value rather than hitting the source again.
        // Each poll is one round trip that also takes the lease once its holder released it: a holder
        // whose load failed (a missing row) releases at once, and waiting out lockTimeout for a value
        // that never comes made every concurrent miss of a missing key take 3 s.
        const deadline = Date.now() + lockMs;
        while (lease === 'busy' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 15));
          const next = await l2.getOrLease(l2Key, leaseKey, token, lockMs);
          if (next.text !== null) {
            const again = await this.lookup(fullKey, tags, options, ticket, next.text);
            if (again?.fresh) return { value: again.value as T, source: 'hit' };
          } else if (next.lease !== 'busy') lease = next.lease;
        }
        if (lease === 'busy') lease = await l2.acquireLease(leaseKey, token, lockMs); // its holder may be gone
      }
      // Captured before the loader reads the source: a bump during the load makes the result stale.
      const captured = await versions.current(tags);
      const held = lease === 'acquired' ? { leaseKey, token } : undefined;
      handedOver = true;
      return await this.runner.run(fullKey, tags, captured, loader, options, found, held, ticket);
    } finally {
      if (!handedOver) ledger.end(ticket);
    }
  }

  private toL1(
    fullKey: string,
    entry: StoredEntry,
    text: string,
    options: EntryOptions,
    bytes?: number,
  ): L1Entry {
    const { l1, ttlMs } = this.parts.entries.l1(entry, text, options, bytes);
    this.parts.l1.set(fullKey, l1, ttlMs);
    return l1;
  }

  /** Fills L1 after a set() (same rules as a load's fill). */
  fill(fullKey: string, entry: StoredEntry, text: string, options: EntryOptions, bytes?: number): L1Entry {
    return this.toL1(fullKey, entry, text, options, bytes);
  }

  private l2Hit(fullKey: string): void {
    this.l2Hits.inc();
    if (this.parts.events.listenerCount('hit') > 0) this.parts.events.emit('hit', fullKey, 'l2');
  }
}
