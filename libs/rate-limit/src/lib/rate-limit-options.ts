import type { RedisConnections } from '@shop/redis';
import { toMs, type Duration } from '@shop/util';
import type { Registry } from 'prom-client';

/** A duration: milliseconds or an `ms` string such as `'1s'`, `'1m'` (`@shop/util`). */
export type { Duration };
export { toMs };

/**
 * What a policy does while Redis cannot answer (down, timed out, breaker open):
 * - `fail-closed`: refuse (HTTP 503) — for login and other abuse-sensitive routes;
 * - `local`: keep limiting with a bounded in-process sliding counter (per instance, so the effective
 *   limit is `limit x instances` until Redis is back);
 * - `fail-open`: allow everything.
 */
export type RedisDownMode = 'fail-closed' | 'local' | 'fail-open';

/**
 * The algorithm of a policy:
 * - `counter`: sliding-window counter (two sub-windows, the previous one weighted by how much of it
 *   still overlaps the trailing window); O(1) memory, one hash per client and policy;
 * - `log`: exact sliding log (a sorted set holding one member per unit consumed); O(limit) memory, for
 *   small limits such as login attempts.
 */
export type RateLimitMode = 'counter' | 'log';

/** One limit: at most `limit` units per trailing `window`. */
export interface RateLimitPolicy {
  /** Names the policy in keys, headers and metrics: lower-case `[a-z0-9-]`, 1-40 characters. */
  name: string;
  /** Units allowed per window (a positive integer). */
  limit: number;
  /** Length of the sliding window. */
  window: Duration;
  /** @default 'counter' */
  mode?: RateLimitMode;
  /** @default 'local' */
  onRedisDown?: RedisDownMode;
}

export interface ResolvedPolicy {
  name: string;
  limit: number;
  windowMs: number;
  mode: RateLimitMode;
  onRedisDown: RedisDownMode;
}

/** Options of one limiter (`new RateLimiter(options)` or `RateLimitModule.forRoot(options)`). */
export interface RateLimitOptions {
  /** Where the Redis connection comes from (`@shop/redis`, the shared fail-fast `request` client). */
  connections: RedisConnections;
  /** Key area: keys are `<prefix>:<area>:{<client hash>}:<policy>:<mode><window ms>`. @default 'rl' */
  area?: string;
  /** Policies by name, for `consume(identity, ['api'])` and the HTTP helpers. @default [] */
  policies?: RateLimitPolicy[];
  /** Upper bound of one Redis decision; after it the policy's `onRedisDown` mode answers. @default 200 */
  timeout?: Duration;
  /** Consecutive Redis failures that open the breaker (no Redis call at all while open). @default 3 */
  breakerThreshold?: number;
  /** How long the breaker stays open before one trial call. @default '2s' */
  breakerCooldown?: Duration;
  /** Bound of the in-process fallback: most (client, policy) counters kept, least recently used evicted. @default 10_000 */
  localMaxKeys?: number;
  /** Label of this limiter in metrics. @default 'default' */
  name?: string;
  /** Metrics registry. @default the prom-client global registry */
  registry?: Registry;
}

export interface ResolvedRateLimitOptions {
  connections: RedisConnections;
  area: string;
  policies: Map<string, ResolvedPolicy>;
  timeoutMs: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
  localMaxKeys: number;
  name: string;
  registry?: Registry;
}

const POLICY_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Validates one policy and fills its defaults. */
export function resolvePolicy(policy: RateLimitPolicy): ResolvedPolicy {
  if (!POLICY_NAME.test(policy.name))
    throw new Error(`invalid rate-limit policy name ${JSON.stringify(policy.name)}: [a-z][a-z0-9-]{0,39}`);
  if (!Number.isSafeInteger(policy.limit) || policy.limit < 1)
    throw new Error(`policy ${policy.name}: limit must be a positive integer, got ${policy.limit}`);
  const windowMs = toMs(policy.window, `policy ${policy.name} window`);
  if (windowMs < 1) throw new Error(`policy ${policy.name}: window must be at least 1 ms`);
  return {
    name: policy.name,
    limit: policy.limit,
    windowMs: Math.round(windowMs),
    mode: policy.mode ?? 'counter',
    onRedisDown: policy.onRedisDown ?? 'local',
  };
}
