import { whenReady } from '@shop/redis';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { InvalidationBus, type BusMessage } from './bus/invalidation-bus';
import { TrackingListener } from './bus/tracking-listener';
import { decodeEntry, encodeEntry, ENTRY_FORMAT, type StoredEntry } from './cache-entry';
import { cacheMetrics, type CacheMetrics } from './cache-metrics';
import {
  resolveCacheOptions,
  toMs,
  type CacheOptions,
  type Duration,
  type ResolvedCacheOptions,
} from './cache-options';
import { CacheError } from './errors';
import { compileGlob, isValidPrefix } from './keys/glob-match';
import { MemoryTier, type L1Entry } from './l1/memory-tier';
import { RedisTier } from './l2/redis-tier';
import { scanDelete } from './l2/scan-delete';
import { VersionStore } from './l2/version-store';
import { CircuitBreaker } from './resilience/circuit-breaker';
import { SingleFlight } from './resilience/single-flight';
import { withTimeout } from './resilience/timeout';

/** Per-call options; each defaults to the cache's option of the same name. */
export interface EntryOptions {
  /**
   * Time to live in L2. Every entry has one; an entry that must outlive any TTL is asked for by name
   * with `'never'` (stored without expiry in Redis; L1 still keeps it only for `l1Ttl`). With a
   * `volatile-*` eviction policy Redis never evicts such keys, so use it for small, bounded sets only.
   */
  ttl?: Duration | 'never';
  l1Ttl?: Duration;
  grace?: Duration;
  /** Tags for group invalidation (`invalidateTags`). */
  tags?: string[];
  /** A namespace: the key lives under it and `bumpNamespace` invalidates all of it at once. */
  namespace?: string;
}

export interface LoadOptions extends EntryOptions {
  softTimeout?: Duration;
  hardTimeout?: Duration;
  /** Told how the value was obtained: `hit` (a tier), `miss` (loaded now) or `stale` (served within grace). */
  onSource?: (source: CacheSource) => void;
}

export type CacheSource = 'hit' | 'miss' | 'stale';

interface Sourced<T> {
  value: T;
  source: CacheSource;
}

// Cache keys may hold ':' and '/' (`user:42`, `GET /orders?a=1`), never glob characters or whitespace.
const KEY = /^[A-Za-z0-9_.:/=&%@+,;-]{1,512}$/;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Most per-key invalidation marks kept (see `markInvalidated`). */
const MAX_INVALIDATION_MARKS = 10_000;

/**
 * A two-tier cache: L1 in-process LRU, L2 Redis, cross-instance L1 invalidation over pub/sub. Every
 * pattern of the seed page is a method: `getOrSet` (cache-aside), `readThrough`, `writeThrough`,
 * `set`/`delete`/`invalidateTags`/`bumpNamespace`/`deleteByPattern` (event and version invalidation).
 * Redis trouble never throws out of a read: it falls back to L1, then to the loader.
 * Events: `hit` (key, tier), `miss` (key), `stale` (key), `gap` (reason), `breaker` (state), `refused` (key, bytes).
 */
export class Cache extends EventEmitter {
  readonly options: ResolvedCacheOptions;
  private readonly l1: MemoryTier;
  private readonly l2: RedisTier;
  private readonly versions: VersionStore;
  private readonly bus: InvalidationBus;
  private readonly flights = new SingleFlight();
  private readonly breaker: CircuitBreaker;
  private readonly metrics: CacheMetrics;
  private readonly base: string;
  private readonly labels: { cache: string };
  private readonly l1Hits: { inc(): void };
  private readonly l1Misses: { inc(): void };
  private readonly l2Hits: { inc(): void };
  private readonly l2Misses: { inc(): void };
  /**
   * Invalidation bookkeeping, so a read or load that started before an invalidation cannot put the value
   * it got into the cache afterwards: a counter bumped by every invalidation this instance sees, when each
   * key was last invalidated (entries pruned once no operation can be that old), and the last full expiry.
   */
  private invalidationSeq = 0;
  private allInvalidatedAt = 0;
  private readonly invalidatedAt = new Map<string, { seq: number; at: number }>();
  private tracking?: TrackingListener;

  constructor(options: CacheOptions) {
    super();
    this.options = resolveCacheOptions(options);
    const { connections, name } = this.options;
    if (!NAME.test(name)) throw new CacheError('E_INVALID_KEY', `invalid cache name "${name}"`);
    this.labels = { cache: name };
    this.metrics = cacheMetrics(this.options.registry);
    this.l1Hits = this.metrics.hits.labels({ cache: name, tier: 'l1' });
    this.l1Misses = this.metrics.misses.labels({ cache: name, tier: 'l1' });
    // Labelled children bound once: label validation per call showed up in the L2-hit profile.
    this.l2Hits = this.metrics.hits.labels({ cache: name, tier: 'l2' });
    this.l2Misses = this.metrics.misses.labels({ cache: name, tier: 'l2' });
    this.base = connections.keys.key('cache', name);
    this.breaker = new CircuitBreaker(
      this.options.breakerThreshold,
      this.options.breakerCooldownMs,
      (state) => {
        this.metrics.breaker.set(this.labels, state === 'open' ? 1 : 0);
        this.emit('breaker', state);
      },
    );
    this.l1 = new MemoryTier(this.options.l1MaxEntries, this.options.l1MaxBytes);
    this.l2 = new RedisTier(() => connections.shared('cache', 'request'), this.breaker, this.metrics, name);
    this.versions = new VersionStore(this.l2, (tag) => connections.keys.tagged('cache-v', name, tag));
    this.bus = new InvalidationBus(connections, connections.keys.channel('cache-bus', name), {
      onMessage: (m) => this.onBusMessage(m),
      onGap: (reason) => this.expireLocal(reason),
    });
  }

  /**
   * Subscribes to the invalidation bus and gives the L2 client a moment to connect (a cache used before
   * that would count failures against the breaker). Never fails for Redis being down and never waits
   * longer than the connect timeout (`connectTimeoutMs` of the Redis connections): the subscriptions go
   * on in the background, and until the first one is active L1 serves no hits (invalidations from
   * other instances would go unheard). Call once.
   */
  async connect(): Promise<void> {
    const { connections } = this.options;
    const boundMs = connections.options.connectTimeoutMs;
    this.bus.on('rejected', () => this.metrics.bus.inc({ ...this.labels, direction: 'rejected' }));
    if (this.options.serverAssistedInvalidation) {
      const prefix = `${this.base}:{`;
      this.tracking = new TrackingListener(
        connections,
        prefix,
        (keys) => {
          for (const key of keys)
            if (key.startsWith(prefix))
              this.dropLocal(key.slice(prefix.length, key.indexOf('}', prefix.length)));
        },
        () => this.expireLocal('reconnect'),
        () => this.expireLocal('flush'),
      );
    }
    await Promise.all([
      this.tracking?.start(boundMs),
      this.bus.start(boundMs),
      whenReady(connections.shared('cache', 'request'), boundMs),
    ]);
  }

  async close(): Promise<void> {
    await this.tracking?.stop();
    await this.bus.stop();
  }

  /** The cached value, or undefined. Never throws for Redis trouble. */
  async get<T>(key: string, options: EntryOptions = {}): Promise<T | undefined> {
    const fullKey = this.fullKey(key, options.namespace);
    const local = this.peekL1(fullKey);
    if (local) return this.l1Value(local) as T;
    const found = await this.lookup(fullKey, this.tagsOf(options));
    return found?.fresh ? (found.value as T) : undefined;
  }

  /**
   * Cache-aside: the cached value, else `loader()`'s, stored in both tiers. Concurrent calls for one key
   * share one load in this process, and instances share it through a Redis lease; on loader failure or
   * timeout a stale value within grace is served instead of the error.
   */
  async getOrSet<T>(key: string, loader: () => Promise<T> | T, options: LoadOptions = {}): Promise<T> {
    const fullKey = this.fullKey(key, options.namespace);
    const local = this.peekL1(fullKey);
    if (local) {
      this.maybeRefreshAhead(fullKey, local.createdAt, loader, options);
      options.onSource?.('hit');
      return this.l1Value(local) as T;
    }
    const { value, source } = await this.flights.run(fullKey, () =>
      this.fetchOrLoad(fullKey, this.tagsOf(options), loader, options),
    );
    options.onSource?.(source);
    return value;
  }

  /** Stores a value in both tiers and tells the other instances to drop their L1 copy. */
  async set<T>(key: string, value: T, options: EntryOptions = {}): Promise<void> {
    const fullKey = this.fullKey(key, options.namespace);
    // A read of the old value still in flight here must not put it back over this one.
    this.markInvalidated(fullKey);
    // The L1 copy is in place before anything is awaited; L2 write and bus message travel together.
    await Promise.all([
      this.store(fullKey, value, this.tagsOf(options), options, true),
      this.publish({ k: [fullKey] }),
    ]);
  }

  /** Deletes a key in both tiers on every instance. */
  async delete(key: string, options: Pick<EntryOptions, 'namespace'> = {}): Promise<void> {
    const fullKey = this.fullKey(key, options.namespace);
    this.dropLocal(fullKey);
    await this.l2.del([this.l2Key(fullKey)]);
    await this.publish({ k: [fullKey] });
  }

  /** Invalidates every entry carrying one of the tags, on every instance (tag versions via `INCR`). */
  async invalidateTags(tags: string[]): Promise<boolean> {
    tags.forEach((t) => this.checkName(t, 'tag'));
    const bumped = await this.versions.bump(tags);
    if (!bumped) return false; // Redis down: entries still expire by TTL; the caller learns it did not happen
    await this.publish({ t: bumped });
    return true;
  }

  /** Version-based invalidation of a whole namespace: one counter bump, every key in it is stale. */
  bumpNamespace(namespace: string): Promise<boolean> {
    return this.invalidateTags([`ns.${this.checkName(namespace, 'namespace')}`]);
  }

  /**
   * Deletes keys matching a glob with SCAN + UNLINK (never KEYS; per master on a Cluster) and drops them
   * from every instance's L1. A pattern is 1-512 key characters (`[A-Za-z0-9_.:/=&%@+,;-]`) plus `*`
   * (any run, also none) and `?` (one character); nothing else (no classes, no escapes). Matched in
   * linear time. Resolves to the number of L2 keys deleted; rejects with `E_PATTERN_DELETE_FAILED` when
   * L2 could not be cleaned (L1 is dropped everywhere all the same). Prefer `deleteByPrefix`.
   */
  async deleteByPattern(pattern: string): Promise<number> {
    if (!compileGlob(pattern))
      throw new CacheError(
        'E_INVALID_KEY',
        `invalid pattern "${String(pattern).slice(0, 80)}" (1-512 of [A-Za-z0-9_.:/=&%@+,;-], * and ?)`,
      );
    let deleted = 0;
    let failure: Error | undefined;
    try {
      // Attempted even while the breaker is open: an invalidation is never skipped silently.
      deleted = await scanDelete(
        this.options.connections.shared('cache', 'request'),
        `${this.base}:{${pattern}}`,
      );
    } catch (err) {
      failure = err as Error;
    }
    this.deleteLocalPattern(pattern);
    await this.publish({ p: pattern });
    if (failure)
      throw new CacheError(
        'E_PATTERN_DELETE_FAILED',
        `deleting "${pattern}" in L2 did not finish: ${failure.message}`,
      );
    return deleted;
  }

  /** Deletes every key starting with `prefix` (key characters only), like `deleteByPattern(prefix + '*')`. */
  deleteByPrefix(prefix: string): Promise<number> {
    if (!isValidPrefix(prefix))
      return Promise.reject(
        new CacheError(
          'E_INVALID_KEY',
          `invalid prefix "${String(prefix).slice(0, 80)}" (1-511 of [A-Za-z0-9_.:/=&%@+,;-])`,
        ),
      );
    return this.deleteByPattern(`${prefix}*`);
  }

  /** Read-through: a getter bound to a loader, so callers never see the cache. */
  readThrough<T>(
    loader: (key: string) => Promise<T> | T,
    options: LoadOptions = {},
  ): (key: string) => Promise<T> {
    return (key) => this.getOrSet(key, () => loader(key), options);
  }

  /** Write-through: writes the store first, then the cache (and invalidates `alsoInvalidate` tags). */
  async writeThrough<T, R = unknown>(
    key: string,
    value: T,
    write: (value: T) => Promise<R>,
    options: EntryOptions & { alsoInvalidate?: string[] } = {},
  ): Promise<R> {
    const result = await write(value);
    await this.set(key, value, options);
    if (options.alsoInvalidate?.length) await this.invalidateTags(options.alsoInvalidate);
    return result;
  }

  /** Number of entries and bytes in L1 (for tests and dashboards). */
  get l1Stats(): { entries: number; bytes: number } {
    return { entries: this.l1.size, bytes: this.l1.bytes };
  }

  get breakerState(): string {
    return this.breaker.state;
  }

  // --- internals -------------------------------------------------------------------------------

  /** A fresh, current L1 entry, without any I/O; drops an entry whose tags were invalidated. */
  private peekL1(fullKey: string, countMiss = true): L1Entry | undefined {
    const local = this.l1.get(fullKey);
    // Until the bus (and tracking) first listen, invalidations go unheard: L1 is not trusted.
    const untrusted = !this.bus.active || this.tracking?.active === false;
    if (!local || untrusted || local.expiresAt <= Date.now()) {
      if (countMiss) this.l1Misses.inc();
      return undefined;
    }
    if (local.tagCount > 0) {
      const current = this.versions.known(Object.keys(local.tags));
      if (!current || !VersionStore.matches(local.tags, current)) {
        this.l1.delete(fullKey);
        if (countMiss) this.l1Misses.inc();
        return undefined;
      }
    }
    this.l1Hits.inc();
    if (this.listenerCount('hit') > 0) this.emit('hit', fullKey, 'l1');
    return local;
  }

  /** A usable-but-expired L1 entry (within grace) to fall back on. */
  private staleL1(fullKey: string): L1Entry | undefined {
    const local = this.l1.get(fullKey);
    if (!local || local.staleUntil <= Date.now()) return undefined;
    const current = this.versions.known(Object.keys(local.tags));
    return current && VersionStore.matches(local.tags, current) ? local : undefined;
  }

  /** `since`: the invalidation count before the L2 value was read (a prefetching caller took it earlier). */
  private async lookup(
    fullKey: string,
    tags: string[],
    prefetched?: string | null,
    since = this.invalidationSeq,
  ): Promise<{ value: unknown; fresh: boolean; createdAt: number } | undefined> {
    const now = Date.now();
    // Callers have already counted their L1 miss; this second look only catches a concurrent fill.
    const local = this.peekL1(fullKey, false);
    if (local) return { value: this.l1Value(local), fresh: true, createdAt: local.createdAt };
    const stale = this.staleL1(fullKey);
    const text = prefetched !== undefined ? prefetched : await this.l2.get(this.l2Key(fullKey));
    const stored = text ? decodeEntry(text) : undefined;
    if (!stored || !text) {
      this.l2Misses.inc();
      this.emit('miss', fullKey);
      return stale ? { value: this.l1Value(stale), fresh: false, createdAt: stale.createdAt } : undefined;
    }
    const entryTags = Object.keys(stored.t);
    // Untagged entries (most of them) need no version check: skip the async hop on the hot path.
    const current =
      entryTags.length === 0 && tags.length === 0
        ? stored.t
        : await this.versions.current([...new Set([...entryTags, ...tags])]);
    if (!current || !VersionStore.matches(stored.t, current)) {
      this.l2Misses.inc();
      return undefined; // invalidated by a tag or namespace bump (or versions unknowable): not even stale
    }
    const fresh = stored.e > now;
    // An invalidation seen while Redis answered may have been about this very value: don't keep it in L1.
    if ((fresh || stored.g > now) && !this.invalidatedSince(fullKey, since)) this.toL1(fullKey, stored, text);
    if (fresh) this.l2Hit(fullKey);
    return fresh || stored.g > now ? { value: stored.v, fresh, createdAt: stored.c } : undefined;
  }

  private async fetchOrLoad<T>(
    fullKey: string,
    tags: string[],
    loader: () => Promise<T> | T,
    options: LoadOptions,
  ): Promise<Sourced<T>> {
    const token = randomUUID();
    const l2Key = this.l2Key(fullKey);
    const leaseKey = `${l2Key}:lease`;
    const since = this.invalidationSeq;
    // One round trip: the L2 entry, or (if there is none) the load lease.
    const fetched = await this.l2.getOrLease(l2Key, leaseKey, token, this.options.lockTimeoutMs);
    let lease = fetched.lease;
    const found = await this.lookup(fullKey, tags, fetched.text, since);
    if (found?.fresh) return { value: found.value as T, source: 'hit' };
    if (fetched.text !== null)
      lease = await this.l2.acquireLease(leaseKey, token, this.options.lockTimeoutMs); // present but unusable
    if (lease === 'busy') {
      // Another instance is loading it: wait for its value rather than hitting the source again.
      const deadline = Date.now() + this.options.lockTimeoutMs;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 15));
        const again = await this.lookup(fullKey, tags);
        if (again?.fresh) return { value: again.value as T, source: 'hit' };
      }
    }
    const held = lease === 'acquired' ? { leaseKey, token } : undefined;
    try {
      return await this.runLoader(fullKey, tags, loader, options, found, held, since);
    } catch (err) {
      if (held) await this.l2.releaseLease(leaseKey, token);
      throw err;
    }
  }

  private async runLoader<T>(
    fullKey: string,
    tags: string[],
    loader: () => Promise<T> | T,
    options: LoadOptions,
    stale: { value: unknown } | undefined,
    lease?: { leaseKey: string; token: string },
    since = this.invalidationSeq,
  ): Promise<Sourced<T>> {
    const soft = toMs(options.softTimeout ?? this.options.softTimeoutMs, 'softTimeout');
    const hard = toMs(options.hardTimeout ?? this.options.hardTimeoutMs, 'hardTimeout');
    const stop = this.metrics.loader.startTimer(this.labels);
    const loading = withTimeout(
      Promise.resolve().then(loader),
      hard,
      () => new CacheError('E_LOADER_TIMEOUT', `loader for "${fullKey}" took longer than ${hard} ms`),
    );
    const stored = loading.then(async (value) => {
      stop({ ...this.labels, outcome: 'ok' });
      // Loaded from the source before an invalidation of this key arrived: return it, cache nothing.
      if (this.invalidatedSince(fullKey, since)) {
        if (lease) await this.l2.releaseLease(lease.leaseKey, lease.token);
      } else await this.store(fullKey, value, tags, options, false, lease);
      return value;
    });
    stored.catch(() => stop({ ...this.labels, outcome: 'error' }));
    if (!stale) return { value: await stored, source: 'miss' };
    try {
      // With a stale value at hand, the caller waits only `softTimeout`; the load goes on in the background.
      const value = await withTimeout(stored, soft, () => new CacheError('E_LOADER_TIMEOUT', 'soft timeout'));
      return { value, source: 'miss' };
    } catch {
      stored.catch(() => undefined);
      this.metrics.stale.inc(this.labels);
      this.emit('stale', fullKey);
      return { value: stale.value as T, source: 'stale' };
    }
  }

  private async store(
    fullKey: string,
    value: unknown,
    tags: string[],
    options: EntryOptions,
    strict: boolean,
    lease?: { leaseKey: string; token: string },
  ): Promise<void> {
    const now = Date.now();
    const forever = options.ttl === 'never';
    const ttl = forever ? 0 : this.ttlOf(options);
    if (!forever && ttl <= 0)
      throw new CacheError('E_NO_TTL', 'every entry needs a TTL > 0 (an entry without one: ttl: "never")');
    const grace = toMs(options.grace ?? this.options.graceMs, 'grace');
    const jittered = Math.round(ttl * (1 + Math.random() * this.options.jitter));
    const versions = (await this.versions.current(tags)) ?? {};
    const entry: StoredEntry = {
      f: ENTRY_FORMAT,
      v: value,
      t: versions,
      e: forever ? Number.MAX_SAFE_INTEGER : now + jittered,
      g: forever ? Number.MAX_SAFE_INTEGER : now + jittered + grace,
      c: now,
    };
    // Redis keeps a TTL-less entry until it is deleted or invalidated (0 = no PX).
    const l2TtlMs = forever ? 0 : jittered + grace;
    const text = encodeEntry(entry);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.options.maxEntryBytes) {
      this.metrics.refused.inc(this.labels);
      this.emit('refused', fullKey, bytes);
      const error = new CacheError(
        'E_ENTRY_TOO_LARGE',
        `entry "${fullKey}" is ${bytes} bytes, over maxEntryBytes ${this.options.maxEntryBytes}`,
      );
      if (strict) throw error;
      if (lease) await this.l2.releaseLease(lease.leaseKey, lease.token);
      return; // getOrSet still returns the loaded value; it is just not cached
    }
    if (tags.length > 0 && Object.keys(versions).length < tags.length) {
      if (lease) await this.l2.releaseLease(lease.leaseKey, lease.token);
      return; // versions unknowable: caching would be unsafe
    }
    this.toL1(fullKey, entry, text, options, bytes);
    if (lease) await this.l2.storeAndRelease(this.l2Key(fullKey), text, l2TtlMs, lease.leaseKey, lease.token);
    else await this.l2.set(this.l2Key(fullKey), text, l2TtlMs);
  }

  private toL1(
    fullKey: string,
    entry: StoredEntry,
    text: string,
    options: EntryOptions = {},
    bytes = Buffer.byteLength(text),
  ): void {
    const l1Ttl = Math.min(
      toMs(options.l1Ttl ?? this.options.l1TtlMs, 'l1Ttl'),
      Math.max(1, entry.g - Date.now()),
    );
    const l1: L1Entry = {
      value: entry.v,
      tags: entry.t,
      tagCount: Object.keys(entry.t).length,
      expiresAt: entry.e,
      staleUntil: entry.g,
      createdAt: entry.c,
      bytes,
      text: this.options.copyOnRead ? text : undefined,
    };
    this.l1.set(fullKey, l1, l1Ttl);
  }

  /** The value of an L1 entry: the shared object, or with `copyOnRead` a fresh copy decoded from its text. */
  private l1Value(entry: L1Entry): unknown {
    return entry.text === undefined ? entry.value : decodeEntry(entry.text)?.v;
  }

  /** A finite TTL in ms (`'never'` is handled by the callers that allow it). */
  private ttlOf(options: EntryOptions): number {
    const ttl = options.ttl ?? this.options.ttlMs;
    return ttl === 'never' ? Number.POSITIVE_INFINITY : toMs(ttl, 'ttl');
  }

  private maybeRefreshAhead<T>(
    fullKey: string,
    createdAt: number,
    loader: () => Promise<T> | T,
    options: LoadOptions,
  ): void {
    const ratio = this.options.refreshAhead;
    if (ratio <= 0) return;
    const ttl = this.ttlOf(options); // Infinity for 'never': never due
    if (Date.now() - createdAt < ttl * ratio) return;
    const tags = this.tagsOf(options);
    void this.flights
      .run(`${fullKey}#refresh`, () => this.runLoader(fullKey, tags, loader, options, undefined))
      .catch(() => undefined);
  }

  private onBusMessage(message: BusMessage): void {
    this.metrics.bus.inc({ ...this.labels, direction: 'in' });
    if (message.c) this.clearLocal();
    for (const key of message.k ?? []) this.dropLocal(key);
    // Only tags this process already knows: adopting every tag bumped anywhere grows without bound.
    for (const [tag, version] of Object.entries(message.t ?? {})) this.versions.adoptIfKnown(tag, version);
    if (message.p) this.deleteLocalPattern(message.p);
  }

  private expireLocal(reason: 'sequence' | 'reconnect' | 'flush'): void {
    this.clearLocal();
    this.versions.clear();
    this.metrics.gaps.inc({ ...this.labels, reason });
    this.emit('gap', reason);
  }

  /** Drops a key from L1 and remembers when, for reads and loads still in flight. */
  private dropLocal(fullKey: string): void {
    this.l1.delete(fullKey);
    this.markInvalidated(fullKey);
  }

  /** Empties L1; every read or load in flight counts as invalidated. */
  private clearLocal(): void {
    this.l1.clear();
    this.allInvalidatedAt = ++this.invalidationSeq;
    this.invalidatedAt.clear();
  }

  private markInvalidated(fullKey: string): void {
    const now = Date.now();
    this.invalidatedAt.delete(fullKey); // re-insert: the map stays in invalidation order for pruning
    this.invalidatedAt.set(fullKey, { seq: ++this.invalidationSeq, at: now });
    // No read or load runs longer than a hard loader timeout plus a lease wait: older marks can go.
    const horizon = now - (this.options.hardTimeoutMs + this.options.lockTimeoutMs + 1000);
    for (const [key, mark] of this.invalidatedAt) {
      if (mark.at >= horizon && this.invalidatedAt.size <= MAX_INVALIDATION_MARKS) break;
      this.invalidatedAt.delete(key);
      // Bounded memory under a high write rate: forgetting a recent mark must stay safe, so every
      // operation older than it counts as invalidated (it just does not cache).
      if (mark.at >= horizon) this.allInvalidatedAt = Math.max(this.allInvalidatedAt, mark.seq);
    }
  }

  private invalidatedSince(fullKey: string, since: number): boolean {
    return this.allInvalidatedAt > since || (this.invalidatedAt.get(fullKey)?.seq ?? 0) > since;
  }

  private deleteLocalPattern(pattern: string): void {
    // Linear-time glob, no RegExp: a pattern arrives from every instance through the bus.
    const match = compileGlob(pattern);
    if (!match) return; // the bus and deleteByPattern validated it; nothing to execute otherwise
    this.l1.deleteMatching(match);
    this.allInvalidatedAt = ++this.invalidationSeq; // rare: treat every read in flight as affected
  }

  private async publish(message: Omit<BusMessage, 's' | 'q'>): Promise<void> {
    if (await this.bus.publish(message)) this.metrics.bus.inc({ ...this.labels, direction: 'out' });
  }

  private l2Hit(fullKey: string): void {
    this.l2Hits.inc();
    if (this.listenerCount('hit') > 0) this.emit('hit', fullKey, 'l2');
  }

  private fullKey(key: string, namespace?: string): string {
    if (!KEY.test(key))
      throw new CacheError(
        'E_INVALID_KEY',
        `invalid cache key "${key.slice(0, 80)}" (1-512 of [A-Za-z0-9_.:/=&%@+,;-])`,
      );
    return namespace ? `${this.checkName(namespace, 'namespace')}:${key}` : key;
  }

  private tagsOf(options: EntryOptions): string[] {
    const tags = (options.tags ?? []).map((t) => this.checkName(t, 'tag'));
    return options.namespace ? [...tags, `ns.${options.namespace}`] : tags;
  }

  private checkName(value: string, what: string): string {
    if (!NAME.test(value))
      throw new CacheError(
        'E_INVALID_KEY',
        `invalid ${what} "${value.slice(0, 80)}" (1-64 of [A-Za-z0-9_.-])`,
      );
    return value;
  }

  /** `<prefix>:cache:<name>:{<key>}`: the braces put the entry and its lease on one Cluster slot. */
  private l2Key(fullKey: string): string {
    return `${this.base}:{${fullKey}}`;
  }
}
