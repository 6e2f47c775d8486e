import type { BreakerState } from '@shop/redis';
import type { Duration } from './cache-options';

/** Per-call options; each defaults to the cache's option of the same name. */
export interface EntryOptions {
  /**
   * Time to live in L2. Every entry has one; an entry that must outlive any TTL is asked for by name
   * with `'never'` (stored without expiry in Redis; L1 still keeps it only for `l1Ttl`). With a
   * `volatile-*` eviction policy Redis never evicts such keys, so use it for small, bounded sets only.
   */
  ttl?: Duration | 'never';
  /** Time to live in L1, for writes and for fills from L2 alike. */
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

/** The events a `Cache` emits, with their arguments (`cache.on('hit', (key, tier) => ...)`). */
export interface CacheEvents {
  hit: [key: string, tier: 'l1' | 'l2'];
  /** Not in L2 either (the loader runs next, for `getOrSet`). */
  miss: [key: string];
  /** A stale value was served within grace (loader failed or slower than `softTimeout`). */
  stale: [key: string];
  /** Invalidations may have been missed; the whole L1 was expired. */
  gap: [reason: 'sequence' | 'reconnect' | 'flush'];
  breaker: [state: BreakerState];
  /** An entry over `maxEntryBytes` was not stored. */
  refused: [key: string, bytes: number];
  /**
   * `writeThrough` committed to the store but could not update L2 (`E_L2_UNAVAILABLE`): the write is not
   * reported as failed (it happened), peers may serve the old value until its TTL. Alert on it.
   */
  'write-through-cache-failed': [key: string, error: Error];
}
