import { RedisConnections } from '@shop/redis';
import { Registry } from 'prom-client';
import { RateLimiter, type RateLimitOptions } from '../src';

/** A limiter "instance" with its own connections, as a separate gateway process would have. */
export async function makeLimiter(url: string, id: string, options: Partial<RateLimitOptions> = {}) {
  const connections = new RedisConnections({
    url,
    keyPrefix: 'rt',
    connectionName: id,
    commandTimeoutMs: 300,
    maxReconnectDelayMs: 200,
  });
  const registry = new Registry();
  const limiter = new RateLimiter({ connections, registry, name: id, ...options });
  if (!(await limiter.ready(5000))) throw new Error(`limiter ${id} did not connect`);
  return {
    id,
    limiter,
    connections,
    registry,
    close: () => connections.close(),
  };
}

/** Resolves at the next multiple of `windowMs` on the host clock (Redis TIME reads the same clock) plus `offsetMs`. */
export function atNextBoundary(windowMs: number, offsetMs: number): Promise<void> {
  const now = Date.now();
  let target = Math.ceil(now / windowMs) * windowMs + offsetMs;
  if (target <= now) target += windowMs;
  return new Promise((r) => setTimeout(r, target - now));
}

/** The largest number of timestamps (µs) inside any half-open window (t - windowUs, t]. */
export function maxInAnyWindow(timestampsUs: number[], windowUs: number): number {
  const sorted = [...timestampsUs].sort((a, b) => a - b);
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[lo] <= sorted[hi] - windowUs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

/** The next multiple of `windowMs` on the host clock, at least `leadMs` away. */
export function nextBoundary(windowMs: number, leadMs = 0): number {
  return Math.ceil((Date.now() + leadMs) / windowMs) * windowMs;
}

/** Resolves at host time `t` (at once if it has passed). */
export function until(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
}
