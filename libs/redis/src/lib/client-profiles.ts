import { backoffMs } from '@shop/util';
import type { RedisOptions } from 'ioredis';

/**
 * How a connection behaves while Redis is unreachable.
 * - `request`: used on the request path. Commands fail at once while disconnected (no offline queue)
 *   and time out after `commandTimeoutMs`, so an HTTP request never waits on a dead Redis.
 * - `background`: used by consumers, relays and subscribers. Commands queue while disconnected and are
 *   retried after the reconnect; no command timeout, so blocking reads (`XREADGROUP BLOCK`) work.
 * Both reconnect forever with capped exponential backoff.
 */
export type ClientProfile = 'request' | 'background';

export interface ProfileTimings {
  /** Command timeout of the request profile. */
  commandTimeoutMs: number;
  /** TCP connect timeout of both profiles. */
  connectTimeoutMs: number;
  /** Upper bound of the reconnect backoff. */
  maxReconnectDelayMs: number;
}

/** Backoff for attempt `n`: 50 ms doubling, capped, with jitter so instances don't reconnect in lockstep. */
export function reconnectDelay(attempt: number, maxDelayMs: number): number {
  return backoffMs(attempt, 50, maxDelayMs, { jitter: true });
}

/** ioredis options for a profile. RESP2 is set explicitly: ioredis 6 defaults to RESP3. */
export function profileOptions(profile: ClientProfile, timings: ProfileTimings): RedisOptions {
  const common: RedisOptions = {
    protocol: 2,
    connectTimeout: timings.connectTimeoutMs,
    retryStrategy: (attempt) => reconnectDelay(attempt, timings.maxReconnectDelayMs),
    // A failover turns the old master read-only; reconnecting finds the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    lazyConnect: true,
  };
  if (profile === 'request') {
    return {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timings.commandTimeoutMs,
      autoResendUnfulfilledCommands: false,
    };
  }
  return { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
}
