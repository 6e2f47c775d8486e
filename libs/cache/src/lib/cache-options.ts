import type { RedisConnections } from '@shop/redis';
import { toMs, type Duration } from '@shop/util';
import type { Registry } from 'prom-client';

/** A duration: milliseconds or an `ms` string such as `'30s'`, `'5m'`, `'1h'` (`@shop/util`). */
export type { Duration };
export { toMs };

/** Options of one cache (`new Cache(options)` or `CacheModule.forRoot(options)`). */
export interface CacheOptions {
  /** Where the L2 and bus connections come from (`@shop/redis`). */
  connections: RedisConnections;
  /** Name of this cache: part of every key and of the bus channel; caches with different names never collide. @default 'default' */
  name?: string;
  /** Time to live of an entry in L2 (and the upper bound in L1). Every entry has one. @default '5m' */
  ttl?: Duration;
  /** Time to live in L1; shorter than `ttl` bounds how long an instance can serve a value it missed an invalidation for. @default '1m' */
  l1Ttl?: Duration;
  /** How long after expiry a stale value may still be served when the loader or Redis fails (stale-if-error). 0 disables. @default '10m' */
  grace?: Duration;
  /** Random extra TTL, as a fraction of the TTL, so entries written together do not expire together. @default 0.1 */
  jitter?: number;
  /** Largest entry (serialized bytes) stored in either tier; larger ones are refused. @default 512 KiB */
  maxEntryBytes?: number;
  /** L1 bound by number of entries. @default 10_000 */
  l1MaxEntries?: number;
  /** L1 bound by total serialized bytes. @default 64 MiB */
  l1MaxBytes?: number;
  /** Loader soft timeout: after it a stale value (if any) is returned and the load finishes in the background. @default '1s' */
  softTimeout?: Duration;
  /** Loader hard timeout: after it the call fails with `E_LOADER_TIMEOUT` (or returns a stale value). @default '10s' */
  hardTimeout?: Duration;
  /** Longest an instance waits for another instance that holds the load lease before loading itself. @default '3s' */
  lockTimeout?: Duration;
  /** Consecutive L2 failures that open the circuit breaker. @default 5 */
  breakerThreshold?: number;
  /** How long the breaker stays open before one trial call. @default '5s' */
  breakerCooldown?: Duration;
  /** Refresh an entry in the background when a hit finds it this far into its TTL (0..1). 0 disables. @default 0 */
  refreshAhead?: number;
  /**
   * Also drop L1 entries when *any* Redis client writes a cache key (Redis `CLIENT TRACKING ... BCAST`,
   * RESP2). Costs two extra connections; this instance's own writes then also drop its L1 copy. @default false
   */
  serverAssistedInvalidation?: boolean;
  /**
   * L1 hands every caller the same object (fast; never mutate a cached value). `true` gives each L1 read
   * its own copy, decoded from the stored text like an L2 hit (types preserved), at the cost of a parse.
   * @default false
   */
  copyOnRead?: boolean;
  /** Metrics registry. @default the prom-client global registry */
  registry?: Registry;
}

export interface ResolvedCacheOptions {
  serverAssistedInvalidation: boolean;
  connections: RedisConnections;
  name: string;
  ttlMs: number;
  l1TtlMs: number;
  graceMs: number;
  jitter: number;
  maxEntryBytes: number;
  l1MaxEntries: number;
  l1MaxBytes: number;
  softTimeoutMs: number;
  hardTimeoutMs: number;
  lockTimeoutMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  refreshAhead: number;
  copyOnRead: boolean;
  registry?: Registry;
}

/**
 * The single source of every option's default: `resolveCacheOptions` reads it, the JSDoc above mirrors
 * it, and `cache-options.spec.ts` checks that the README's options table lists each with this value.
 */
export const CACHE_DEFAULTS = {
  name: 'default',
  ttl: '5m',
  l1Ttl: '1m',
  grace: '10m',
  jitter: 0.1,
  maxEntryBytes: 512 * 1024,
  l1MaxEntries: 10_000,
  l1MaxBytes: 64 * 1024 * 1024,
  softTimeout: '1s',
  hardTimeout: '10s',
  lockTimeout: '3s',
  breakerThreshold: 5,
  breakerCooldown: '5s',
  refreshAhead: 0,
  serverAssistedInvalidation: false,
  copyOnRead: false,
} as const satisfies Required<Omit<CacheOptions, 'connections' | 'registry'>>;

/** Fills the defaults; a pure function so the mapping is testable on its own. */
export function resolveCacheOptions(o: CacheOptions): ResolvedCacheOptions {
  const d = CACHE_DEFAULTS;
  return {
    connections: o.connections,
    name: o.name ?? d.name,
    ttlMs: toMs(o.ttl ?? d.ttl, 'ttl'),
    l1TtlMs: toMs(o.l1Ttl ?? d.l1Ttl, 'l1Ttl'),
    graceMs: toMs(o.grace ?? d.grace, 'grace'),
    jitter: o.jitter ?? d.jitter,
    maxEntryBytes: o.maxEntryBytes ?? d.maxEntryBytes,
    l1MaxEntries: o.l1MaxEntries ?? d.l1MaxEntries,
    l1MaxBytes: o.l1MaxBytes ?? d.l1MaxBytes,
    softTimeoutMs: toMs(o.softTimeout ?? d.softTimeout, 'softTimeout'),
    hardTimeoutMs: toMs(o.hardTimeout ?? d.hardTimeout, 'hardTimeout'),
    lockTimeoutMs: toMs(o.lockTimeout ?? d.lockTimeout, 'lockTimeout'),
    breakerThreshold: o.breakerThreshold ?? d.breakerThreshold,
    breakerCooldownMs: toMs(o.breakerCooldown ?? d.breakerCooldown, 'breakerCooldown'),
    refreshAhead: o.refreshAhead ?? d.refreshAhead,
    serverAssistedInvalidation: o.serverAssistedInvalidation ?? d.serverAssistedInvalidation,
    copyOnRead: o.copyOnRead ?? d.copyOnRead,
    registry: o.registry,
  };
}
