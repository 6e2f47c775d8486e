import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { coalesceWrites, type RedisClient } from '@shop/redis';
import { isObservable, lastValueFrom } from 'rxjs';
import { ENVELOPE_FIELD, type ReplyEnvelope } from '../envelope';
import { messagingMetrics, type MessagingMetrics } from '../messaging-metrics';
import { messagingDefaults, retentionOf, type StreamsServerOptions } from '../messaging-options';
import { GroupConsumer, type DeliveredMessage } from '../streams/group-consumer';
import { isCluster } from '../streams/is-cluster';
import { xaddCapped } from '../streams/stream-entries';
import { producerOf, streamNames } from '../streams/stream-names';
import { groupStats, type GroupStats } from '../health/messaging-health';
import { serializeHandlerError } from './serialize-error';
import { RedisStreamsContext } from './streams-context';
import { requestContext } from '../request-context';

/** How long a reply stream lives after its last reply (its caller may be gone). */
const REPLY_STREAM_TTL_MS = 60_000;
/** Reply addresses whose TTL refresh time is remembered (the oldest are forgotten first: one extra PEXPIRE). */
const MAX_REPLY_ADDRESSES = 10_000;

/**
 * The server side of the Redis Streams transport (`app.connectMicroservice({ strategy })`).
 * `@MessagePattern` handlers consume the service's command stream in a group named after the service, so
 * exactly one instance runs each command and its reply goes to the caller's own reply stream.
 * `@EventPattern('<producer>.<event>')` handlers consume the producer's event stream in this service's
 * group: each service sees each event once, on one of its instances, acked after the handler succeeded.
 */
export class RedisStreamsServer extends Server implements CustomTransportStrategy {
  private readonly consumers: GroupConsumer[] = [];
  private readonly readers: RedisClient[] = [];
  private readonly metrics: MessagingMetrics;
  private readonly o: Required<Omit<StreamsServerOptions, 'eventSources' | 'registry' | 'retention'>> &
    Pick<StreamsServerOptions, 'eventSources' | 'retention'>;
  private writer?: RedisClient;
  private readonly expiresSet = new Map<string, number>();
  private readonly log = new Logger('RedisStreamsServer');

  constructor(options: StreamsServerOptions) {
    super();
    this.o = { ...messagingDefaults, ...options };
    this.metrics = messagingMetrics(options.registry);
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  /** Stops reading everywhere, lets running handlers finish within `drainTimeoutMs`, closes the readers. */
  async close(): Promise<void> {
    // One deadline for all consumers: each stop() returns by it even with Redis hung or slots busy.
    const results = await Promise.all(this.consumers.map((c) => c.stop(this.o.drainTimeoutMs)));
    // A reader may still be parked in XREADGROUP on a hung connection: drop it instead of a QUIT that
    // would wait for Redis (a blocking read has nothing to flush; its entries stay pending).
    for (const reader of this.readers) reader.disconnect();
    const abandoned = results.reduce((n, r) => n + r.abandoned, 0);
    this.log.log({
      msg: 'transport drained',
      finished: results.reduce((n, r) => n + r.finished, 0),
      abandoned,
    });
    await Promise.all(this.readers.map((r) => this.o.connections.release(r)));
    this.consumers.length = 0;
    this.readers.length = 0;
  }

  on(): never {
    throw new Error(
      'RedisStreamsServer does not emit transport events; read RedisConnections.health instead',
    );
  }

  unwrap<T>(): T {
    return this.writer as T;
  }

  /** Lag, pending and dead-letter counts of every stream this server consumes. */
  stats(): Promise<GroupStats[]> {
    const writer = this.o.connections.shared('data', 'request');
    return Promise.all(this.consumers.map((c) => groupStats(writer, c.stream, c.group, c.deadLetterStream)));
  }

  /** Handlers currently running across all streams (for drain tests and health). */
  get inFlight(): number {
    return this.consumers.reduce((n, c) => n + c.inFlightCount, 0);
  }

  private async start(): Promise<void> {
    const { connections, service } = this.o;
    this.writer = connections.shared('data', 'background');
    const handlers = [...this.messageHandlers.entries()];
    const hasCommands = handlers.some(([, h]) => !h.isEventHandler);
    const sources = this.o.eventSources ?? [
      ...new Set(handlers.filter(([, h]) => h.isEventHandler).map(([p]) => producerOf(p))),
    ];

    if (hasCommands) {
      this.consumers.push(
        this.consumer(streamNames.commands(connections.keys, service), 'cmd', (m) => this.handleCommand(m)),
      );
    }
    for (const producer of sources) {
      this.consumers.push(
        this.consumer(streamNames.events(connections.keys, producer), 'evt', (m) =>
          this.handleStreamEvent(m),
        ),
      );
    }
    await Promise.all(this.consumers.map((c) => c.start()));
    this.log.log({ msg: 'transport listening', service, commands: hasCommands, eventSources: sources });
  }

  private consumer(
    stream: string,
    kind: 'cmd' | 'evt',
    handle: (m: DeliveredMessage) => Promise<void>,
  ): GroupConsumer {
    const reader = this.o.connections.dedicated('data', 'background', `reader-${kind}`);
    this.readers.push(reader);
    return new GroupConsumer({
      reader,
      writer: this.writer as RedisClient,
      stream,
      group: this.o.service,
      consumer: this.o.instanceId,
      deadLetterStream: streamNames.deadLetter(this.o.connections.keys, this.o.service, kind),
      concurrency: this.o.concurrency,
      blockMs: this.o.blockMs,
      claimIdleMs: this.o.claimIdleMs,
      reclaimIntervalMs: this.o.reclaimIntervalMs,
      // A command's error is its reply, so commands are never retried by the transport.
      maxDeliveries: kind === 'cmd' ? Math.max(this.o.maxDeliveries, 3) : this.o.maxDeliveries,
      retryDelayMs: this.o.retryDelayMs,
      deadLetterRetention: retentionOf(this.o, 'deadLetters'),
      retention: retentionOf(this.o, kind === 'cmd' ? 'commands' : 'events'),
      trimIntervalMs: this.o.trimIntervalMs,
      idleConsumerMs: this.o.idleConsumerMs,
      handle,
      // Handlers mostly use the process' shared clients; their commands of one batch leave together.
      coalesce: [this.writer as RedisClient, this.o.connections.shared('data', 'request')],
      logger: this.log,
      metrics: this.metrics,
    });
  }

  private async handleCommand(message: DeliveredMessage): Promise<void> {
    const { envelope } = message;
    if (envelope.deadline !== undefined && Date.now() > envelope.deadline) {
      this.metrics.handled.inc({ stream: message.stream, outcome: 'expired' });
      return; // the caller has given up; running it now would surprise everybody
    }
    const handler = this.handlerFor(envelope.pattern);
    let reply: ReplyEnvelope;
    if (!handler || handler.isEventHandler) {
      reply = {
        id: envelope.id,
        error: {
          code: 'E_NO_HANDLER',
          message: `service "${this.o.service}" has no handler for "${envelope.pattern}"`,
        },
      };
    } else {
      try {
        reply = { id: envelope.id, response: (await this.run(handler, message)) ?? null };
      } catch (err) {
        const { reply: error, internal } = serializeHandlerError(err);
        if (internal) this.log.error({ msg: 'command handler failed', pattern: envelope.pattern, err });
        reply = { id: envelope.id, error };
      }
    }
    if (!envelope.replyTo) return;
    // The handler has run: whatever happens to its reply, the command is acked (never run again). A
    // reply that cannot be delivered is the caller's timeout.
    try {
      await this.sendReply(envelope.replyTo, reply, message.stream);
    } catch (err) {
      this.metrics.handled.inc({ stream: message.stream, outcome: 'reply_lost' });
      this.log.warn({
        msg: 'reply could not be delivered; the caller will time out',
        pattern: envelope.pattern,
        replyTo: envelope.replyTo,
        messageId: envelope.id,
        error: (err as Error).message,
      });
    }
  }

  /**
   * `PUBLISH` (`SPUBLISH` on a Cluster) to the caller's own channel: one command, nothing stored. If nobody received it (the
   * caller's subscriber is reconnecting), the reply goes to the caller's stream, which the caller reads
   * once it is subscribed again.
   */
  private async sendReply(address: string, reply: ReplyEnvelope, stream: string): Promise<void> {
    const writer = this.writer as RedisClient;
    coalesceWrites(writer);
    const body = JSON.stringify(reply);
    // On a Cluster, PUBLISH counts only the receiving node's subscribers; SPUBLISH's count is exact.
    const received = isCluster(writer)
      ? await writer.spublish(address, body)
      : await writer.publish(address, body);
    if (Number(received) > 0) return;
    this.metrics.handled.inc({ stream, outcome: 'reply_via_stream' });
    await xaddCapped(writer, address, retentionOf(this.o, 'replies'), [ENVELOPE_FIELD, body]);
    // Refresh the reply stream's TTL now and then, not on every reply: its caller may be gone for good.
    const now = Date.now();
    if ((this.expiresSet.get(address) ?? 0) < now - REPLY_STREAM_TTL_MS / 4) {
      this.expiresSet.delete(address); // re-inserted last: the map is ordered by refresh time
      this.expiresSet.set(address, now);
      if (this.expiresSet.size > MAX_REPLY_ADDRESSES) {
        const oldest = this.expiresSet.keys().next().value;
        if (oldest !== undefined) this.expiresSet.delete(oldest);
      }
      await writer.pexpire(address, REPLY_STREAM_TTL_MS);
    }
  }

  private async handleStreamEvent(message: DeliveredMessage): Promise<void> {
    const { envelope } = message;
    const handler = this.handlerFor(envelope.pattern);
    // A producer's stream carries all its events; this service handles the patterns it subscribed to.
    if (!handler || !handler.isEventHandler) return;
    await this.run(handler, message);
  }

  /**
   * Our client sends patterns already normalized to their route string, so a direct lookup finds them;
   * Nest's `getHandlerByPattern` first tries `JSON.parse` on every pattern, and the throw it catches
   * for a plain string was the single largest cost per message in the server's CPU profile.
   */
  private handlerFor(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern);
  }

  private async run(handler: MessageHandler, message: DeliveredMessage): Promise<unknown> {
    const context = new RedisStreamsContext([
      message.stream,
      message.entryId,
      message.deliveries,
      message.envelope.id,
    ]);
    // In the caller's request context, so every log line of the handler carries its request id.
    return requestContext.within(message.envelope.requestId, async () => {
      const result: unknown = await handler(message.envelope.data, context);
      // Nest wraps handlers so they resolve to an Observable; plain values skip the RxJS round.
      const value = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
      this.log.debug({ msg: 'message handled', pattern: message.envelope.pattern, id: message.envelope.id });
      return value;
    });
  }
}
