import { type StoredEntry } from './cache-entry';
import { withTimeout } from '@shop/util';
import { toMs } from './cache-options';
import type { EntryOptions, LoadOptions } from './cache-types';
import { CacheError } from './errors';
import type { LedgerTicket } from './invalidation/invalidation-ledger';
import type { L1Entry } from './l1/memory-tier';
import type { CacheParts, Sourced } from './load-coordinator';

/** A load lease this process holds on a key (`token` proves it is ours). */
export interface Lease {
  leaseKey: string;
  token: string;
}

/**
 * Runs one loader for `LoadCoordinator` and stores its result: hard timeout, soft timeout when a stale
 * value is at hand (the load goes on in the background), lease heartbeat while it runs. Rules it keeps:
 * - the ledger ticket ends with the load, also when it finishes in the background;
 * - synchronous from the last invalidation check to issuing the L2 write, and that write is fenced by
 *   the lease (`STORE_IF_LEASED`); without a lease only L1 is filled;
 * - a lost lease or a failed load releases or drops what this load put in place.
 */
export class LoadRunner {
  private readonly labels: { cache: string };

  constructor(
    private readonly parts: CacheParts,
    private readonly toL1: (
      fullKey: string,
      entry: StoredEntry,
      text: string,
      options: EntryOptions,
      bytes?: number,
    ) => L1Entry,
  ) {
    this.labels = { cache: parts.options.name };
  }

  async run<T>(
    fullKey: string,
    tags: string[],
    versions: Record<string, number> | undefined,
    loader: () => Promise<T> | T,
    options: LoadOptions,
    stale: { value: unknown } | undefined,
    lease: Lease | undefined,
    ticket: LedgerTicket,
  ): Promise<Sourced<T>> {
    const { metrics, ledger, l2, events } = this.parts;
    const soft = toMs(options.softTimeout ?? this.parts.options.softTimeoutMs, 'softTimeout');
    const hard = toMs(options.hardTimeout ?? this.parts.options.hardTimeoutMs, 'hardTimeout');
    const stop = metrics.loader.startTimer(this.labels);
    const stopHeartbeat = lease ? this.keepLease(lease) : () => undefined;
    const loading = withTimeout(
      Promise.resolve().then(loader),
      hard,
      () => new CacheError('E_LOADER_TIMEOUT', `loader for "${fullKey}" took longer than ${hard} ms`),
    );
    const stored = loading
      .then(async (value) => {
        stop({ ...this.labels, outcome: 'ok' });
        stopHeartbeat();
        await this.store(fullKey, value, tags, versions, options, lease, ticket);
        return value;
      })
      .catch(async (err: unknown) => {
        stopHeartbeat();
        if (lease) await l2.releaseLease(lease.leaseKey, lease.token);
        throw err;
      })
      .finally(() => ledger.end(ticket));
    stored.catch(() => stop({ ...this.labels, outcome: 'error' }));
    if (!stale) return { value: await stored, source: 'miss' };
    try {
      // With a stale value at hand, the caller waits only `softTimeout`; the load goes on in the background.
      const value = await withTimeout(stored, soft, () => new CacheError('E_LOADER_TIMEOUT', 'soft timeout'));
      return { value, source: 'miss' };
    } catch {
      stored.catch(() => undefined);
      metrics.stale.inc(this.labels);
      events.emit('stale', fullKey);
      return { value: stale.value as T, source: 'stale' };
    }
  }

  /**
   * Stores a loaded value. Synchronous from the last invalidation check to issuing the L2 write, and
   * the write itself is fenced by the lease; without a lease only L1 is filled (nothing to fence with).
   */
  private async store(
    fullKey: string,
    value: unknown,
    tags: string[],
    versions: Record<string, number> | undefined,
    options: EntryOptions,
    lease: Lease | undefined,
    ticket: LedgerTicket,
  ): Promise<void> {
    const { entries, ledger, l1, l2, keys, metrics, events } = this.parts;
    const release = () => (lease ? l2.releaseLease(lease.leaseKey, lease.token) : Promise.resolve());
    if (tags.length > 0 && (!versions || Object.keys(versions).length < tags.length)) return release(); // unknowable: unsafe
    const built = entries.build(value, versions ?? {}, options);
    if (entries.tooLarge(built.bytes)) {
      metrics.refused.inc(this.labels);
      events.emit('refused', fullKey, built.bytes);
      return release(); // getOrSet still returns the loaded value; it is just not cached
    }
    if (ledger.invalidated(ticket, fullKey, tags)) return release(); // loaded before an invalidation
    const mine = this.toL1(fullKey, built.entry, built.text, options, built.bytes);
    if (!lease) return;
    const written = await l2.storeIfLeased(
      keys.l2(fullKey),
      built.text,
      built.l2TtlMs,
      lease.leaseKey,
      lease.token,
    );
    // The lease was lost (expired, taken, voided by a write): a newer value may exist; drop ours.
    if (!written && l1.get(fullKey) === mine) l1.delete(fullKey);
  }

  /** Refreshes the lease while the load runs; returns the stopper. */
  private keepLease(lease: Lease): () => void {
    const lockMs = this.parts.options.lockTimeoutMs;
    const timer = setInterval(
      () => void this.parts.l2.extendLease(lease.leaseKey, lease.token, lockMs),
      Math.max(10, Math.floor(lockMs / 2)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }
}
