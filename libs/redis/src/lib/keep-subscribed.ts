import { Redis } from 'ioredis';
import type { RedisClient } from './redis-client.factory';

export interface Subscription {
  /** Resolves once the first SUBSCRIBE is answered (rejects if that connection closes first). */
  readonly active: Promise<void>;
  /** Stops re-subscribing after reconnects (release the connection to end the subscription). */
  stop(): void;
}

/**
 * Subscribes a dedicated connection to `channel` and keeps it subscribed. After every reconnect it
 * subscribes again itself and calls `onActive(true)` once Redis has answered: only then can an owner
 * account for what was published while it was away (expire an L1, read a fallback stream) without a
 * window in which it is not yet listening again. The first subscription calls `onActive(false)`.
 *
 * ioredis' own resubscribe is turned off: it runs on `ready` before the subscription is active, gives
 * no signal when it is, and has no rejection handler (a connection closed before Redis answers it
 * surfaces as an unhandled "Connection is closed." rejection).
 */
export function keepSubscribed(
  client: RedisClient,
  channel: string,
  onActive: (reconnected: boolean) => unknown,
  /** `SSUBSCRIBE` (sharded pub/sub, messages arrive as `smessage`) instead of `SUBSCRIBE`. */
  options: { sharded?: boolean } = {},
): Subscription {
  if (client instanceof Redis) client.options.autoResubscribe = false;
  let first = true;
  const subscribe = async () => {
    await (options.sharded ? client.ssubscribe(channel) : client.subscribe(channel));
    const reconnected = !first;
    first = false;
    await onActive(reconnected);
  };
  const onReady = () => {
    // Before the first answer the initial SUBSCRIBE is still queued (and resent after a reconnect).
    if (!first) subscribe().catch(() => undefined); // dropped again: the next 'ready' tries once more
  };
  client.on('ready', onReady);
  return { active: subscribe(), stop: () => client.off('ready', onReady) };
}
