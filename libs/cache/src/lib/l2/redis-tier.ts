import { LuaScript, type CircuitBreaker, type RedisClient } from '@shop/redis';
import type { CacheMetrics } from '../cache-metrics';

// Deletes the lease only if this instance still owns it (it may have expired and been taken).
const RELEASE_LEASE = new LuaScript<number>(
  'cache-release-lease',
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
);

// One round trip for a miss: the entry if present, else an attempt at the load lease.
const GET_OR_LEASE = new LuaScript<[string | null, number]>(
  'cache-get-or-lease',
  `local v = redis.call('GET', KEYS[1])
   if v then return {v, 0} end
   if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {false, 1} end
   return {false, 2}`,
);

// A load's store, fenced by its lease: it writes only while the lease still holds this load's token
// (a lease that expired, was taken by another instance, or was voided by a set()/delete() means a newer
// write may exist, and the old value must not land over it). TTL 0 = none (ttl: 'never').
const STORE_IF_LEASED = new LuaScript<number>(
  'cache-store-if-leased',
  `if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end
   if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
   redis.call('DEL', KEYS[2])
   return 1`,
);

// Keeps a running load's lease alive (only if still its own), so a load longer than lockTimeout keeps
// its fence and others keep waiting; a crashed holder's lease still expires after lockTimeout.
const EXTEND_LEASE = new LuaScript<number>(
  'cache-extend-lease',
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0",
);

/**
 * L2 access behind the circuit breaker, on the fail-fast request client (command timeout, no offline
 * queue). Every method resolves to a "nothing" result instead of throwing when Redis is unavailable:
 * the cache then serves from L1 or the loader, slower but never failing because of Redis.
 */
export class RedisTier {
  constructor(
    private readonly client: () => RedisClient,
    private readonly breaker: CircuitBreaker,
    private readonly metrics: CacheMetrics,
    private readonly cacheName: string,
  ) {}

  get available(): boolean {
    return this.breaker.state !== 'open';
  }

  /**
   * Whether L2 is a Cluster: there the bus message travels on another connection than the write, so
   * a writer awaits its write before publishing. On one connection, commands are applied in order.
   */
  get isCluster(): boolean {
    return (this.client() as { isCluster?: boolean }).isCluster === true;
  }

  get(key: string): Promise<string | null> {
    return this.call('get', null, (c) => c.get(key));
  }

  /** `ttlMs` 0 stores without expiry (only for entries asked for with `ttl: 'never'`). */
  async set(key: string, value: string, ttlMs: number): Promise<boolean> {
    const stored = await this.call('set', null, (c) =>
      ttlMs === 0 ? c.set(key, value) : c.set(key, value, 'PX', Math.max(1, Math.round(ttlMs))),
    );
    return stored === 'OK';
  }

  async del(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.call('del', 0, (c) => c.unlink(...keys));
  }

  /**
   * An invalidating write (set()): attempted even while the breaker is open, because skipping it
   * would leave the old value in L2 for every instance. The command is issued synchronously, before
   * this returns, so a PUBLISH issued next on the same connection is applied after it. Resolves
   * whether Redis applied it.
   */
  setInvalidating(key: string, leaseKey: string, value: string, ttlMs: number): Promise<boolean> {
    // Plain commands, not a script: a script's NOSCRIPT retry (after a Redis restart) would be sent
    // after the PUBLISH queued behind it. The lease goes first, so a load's fenced store that runs
    // between the two finds no lease and writes nothing.
    return this.forced('set', (c) =>
      Promise.all([
        c.unlink(leaseKey),
        ttlMs === 0 ? c.set(key, value) : c.set(key, value, 'PX', Math.max(1, Math.round(ttlMs))),
      ]),
    );
  }

  /** An invalidating delete (entry and its lease, one slot): past the breaker, issued synchronously. */
  delInvalidating(keys: string[]): Promise<boolean> {
    return this.forced('del', (c) => c.unlink(...keys));
  }

  /** Current versions of tag keys (missing = 0); undefined when Redis cannot answer. */
  async versions(keys: string[]): Promise<number[] | undefined> {
    if (keys.length === 0) return [];
    const values = await this.call('versions', undefined, (c) => c.mget(...keys));
    return values?.map((v) => Number(v ?? 0));
  }

  /** INCR each tag key in one round trip (past the breaker: it invalidates); undefined when Redis cannot answer. */
  async bump(keys: string[]): Promise<number[] | undefined> {
    return this.call(
      'bump',
      undefined,
      async (c) => {
        const results = await Promise.all(keys.map((k) => c.incr(k)));
        return results.map(Number);
      },
      true,
    );
  }

  async acquireLease(
    key: string,
    token: string,
    ttlMs: number,
  ): Promise<'acquired' | 'busy' | 'unavailable'> {
    const result = await this.call('lease', 'unavailable' as const, async (c) =>
      (await c.set(key, token, 'PX', Math.max(1, ttlMs), 'NX')) === 'OK'
        ? ('acquired' as const)
        : ('busy' as const),
    );
    return result;
  }

  /** The entry, or (when absent) whether this caller now holds the load lease. */
  async getOrLease(
    key: string,
    leaseKey: string,
    token: string,
    leaseMs: number,
  ): Promise<{ text: string | null; lease: 'acquired' | 'busy' | 'unavailable' }> {
    const reply = await this.call('get', undefined, (c) =>
      GET_OR_LEASE.run(c, [key, leaseKey], [token, Math.max(1, leaseMs)]),
    );
    if (!reply) return { text: null, lease: 'unavailable' };
    const [text, status] = reply;
    return { text: text ?? null, lease: status === 1 ? 'acquired' : 'busy' };
  }

  /** Stores a loaded value only while `token` still holds the lease; resolves whether it wrote. */
  async storeIfLeased(
    key: string,
    value: string,
    ttlMs: number,
    leaseKey: string,
    token: string,
  ): Promise<boolean> {
    const ttl = ttlMs === 0 ? 0 : Math.max(1, Math.round(ttlMs));
    const written = await this.call('set', 0, (c) =>
      STORE_IF_LEASED.run(c, [key, leaseKey], [value, ttl, token]),
    );
    return written === 1;
  }

  async extendLease(key: string, token: string, ttlMs: number): Promise<void> {
    await this.call('lease', 0, (c) => EXTEND_LEASE.run(c, [key], [token, Math.max(1, Math.round(ttlMs))]));
  }

  async releaseLease(key: string, token: string): Promise<void> {
    await this.call('lease', 0, (c) => RELEASE_LEASE.run(c, [key], [token]));
  }

  private async forced(op: string, fn: (client: RedisClient) => Promise<unknown>): Promise<boolean> {
    const failed = Symbol('failed');
    return (await this.call(op, failed, fn, true)) !== failed;
  }

  /** `force`: go to Redis even while the breaker is open (invalidating writes must not be skipped). */
  private async call<T, F>(
    op: string,
    fallback: F,
    fn: (client: RedisClient) => Promise<T>,
    force = false,
  ): Promise<T | F> {
    if (!force && !this.breaker.allows()) {
      this.metrics.l2Errors.inc({ cache: this.cacheName, op: `${op}-skipped` });
      return fallback;
    }
    try {
      const result = await fn(this.client());
      this.breaker.success();
      return result;
    } catch {
      this.breaker.failure();
      this.metrics.l2Errors.inc({ cache: this.cacheName, op });
      return fallback;
    }
  }
}
