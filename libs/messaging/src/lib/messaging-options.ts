import type { RedisConnections } from '@shop/redis';
import type { Registry } from 'prom-client';
import type { StreamRetention } from './streams/stream-entries';

/** Options shared by the server and the client. Durations are milliseconds. */
export interface MessagingCommonOptions {
  /** Where connections and key names come from. */
  connections: RedisConnections;
  /** This service's name: its command stream, its consumer group on other services' event streams. */
  service: string;
  /** This instance's stable id (pod name): the consumer name, so a restarted instance finds its pending entries. */
  instanceId: string;
  /**
   * Cap of each stream unless `retention` says otherwise. Command and event streams are trimmed to it
   * only below every consumer group's position (never an entry a group has not acked); dead-letter and
   * reply streams by `MAXLEN ~` on each `XADD`. @default 100_000
   */
  maxStreamLength?: number;
  /** Per kind of stream: `{ maxLength }` or `{ maxAgeMs }`. @default every kind: `{ maxLength: maxStreamLength }` (replies: 10_000) */
  retention?: Partial<Record<'commands' | 'events' | 'deadLetters' | 'replies', StreamRetention>>;
  /** How often command and event streams are trimmed by the groups' positions (by consumers and producers). @default 5000 */
  trimIntervalMs?: number;
  /** Metrics registry. @default the prom-client global registry */
  registry?: Registry;
}

/** Server (consumer) options. */
export interface StreamsServerOptions extends MessagingCommonOptions {
  /** Handlers running at once per stream; the read `COUNT` is the free slots. @default 64 */
  concurrency?: number;
  /** `XREADGROUP BLOCK` time; also how quickly a stop is noticed. @default 1000 */
  blockMs?: number;
  /** An entry pending longer than this (its consumer died or its handler failed) is reclaimed. @default 10_000 */
  claimIdleMs?: number;
  /** How often pending entries are checked for reclaim, retry and dead-lettering. @default 2000 */
  reclaimIntervalMs?: number;
  /** Deliveries before an event moves to the dead-letter stream. @default 5 */
  maxDeliveries?: number;
  /** First retry delay of a failed event; doubles per delivery. @default 500 */
  retryDelayMs?: number;
  /** How long shutdown waits for in-flight handlers. @default 10_000 */
  drainTimeoutMs?: number;
  /** Other consumers of a group idle this long with nothing pending are removed from it (`XGROUP DELCONSUMER`). @default 86_400_000 (1 day) */
  idleConsumerMs?: number;
  /** Producing services whose events this service consumes, e.g. `['orders']`. Derived from `@EventPattern('orders.*')` names when omitted. */
  eventSources?: string[];
}

/** Client (producer) options. */
export interface StreamsClientOptions extends MessagingCommonOptions {
  /** The service whose commands `send()` targets. */
  target: string;
  /** Default reply deadline of `send()`. @default 5000 */
  timeoutMs?: number;
}

/** The retention of one kind of stream under the options. */
export function retentionOf(
  options: MessagingCommonOptions,
  kind: 'commands' | 'events' | 'deadLetters' | 'replies',
): StreamRetention {
  return (
    options.retention?.[kind] ?? {
      maxLength: kind === 'replies' ? 10_000 : (options.maxStreamLength ?? messagingDefaults.maxStreamLength),
    }
  );
}

export const messagingDefaults = {
  maxStreamLength: 100_000,
  concurrency: 64,
  blockMs: 1000,
  claimIdleMs: 10_000,
  reclaimIntervalMs: 2000,
  maxDeliveries: 5,
  retryDelayMs: 500,
  drainTimeoutMs: 10_000,
  timeoutMs: 5000,
  trimIntervalMs: 5000,
  idleConsumerMs: 86_400_000,
} as const;
