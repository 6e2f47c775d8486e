/**
 * A per-process bound on the distinct cache keys one route may create, so that a client cannot grow the
 * cache's Redis without limit by choosing keys (allow-listed query values, path params, user ids).
 *
 * Each route has a window of live keys, each remembered until the latest moment its entry can still exist
 * in Redis. A key the window already holds is admitted; a new one only while fewer than `max` live keys
 * are held. The bound is per process: N instances hold at most N x `max` keys of a route in Redis (an
 * instance restarted within a TTL starts a fresh window, so briefly up to one more `max` per restart).
 * Hitting the bound costs caching, never correctness: the request bypasses the cache.
 */
export class KeyBudget {
  // Insertion order is expiry order: every key of a route gets the same lifetime and is re-inserted
  // when renewed, so pruning looks only at the front of the map (amortised O(1) per admit).
  private readonly routes = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Whether `key` of `route` may be read and stored now. `lifetimeMs` is how long an entry stored now
   * can live in Redis (ttl with its jitter, plus grace).
   */
  admit(route: string, key: string, max: number, lifetimeMs: number): boolean {
    const now = this.now();
    let live = this.routes.get(route);
    if (!live) {
      live = new Map();
      this.routes.set(route, live);
    }
    for (const [oldest, until] of live) {
      if (until > now) break;
      live.delete(oldest);
    }
    const known = live.has(key);
    if (!known && live.size >= max) return false;
    live.delete(key);
    live.set(key, now + lifetimeMs);
    return true;
  }

  /** Live keys held for a route (for tests and metrics). */
  size(route: string): number {
    return this.routes.get(route)?.size ?? 0;
  }
}
