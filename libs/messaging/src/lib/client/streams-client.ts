import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { coalesceWrites, whenReady, type RedisClient } from '@shop/redis';
import { CounterBuffer } from '@shop/util';
import { isCluster } from '../streams/is-cluster';
import { encode, newMessageId, type Envelope, type ReplyEnvelope } from '../envelope';
import { MessagingError, writeFailureCode, type MessagingErrorCode } from '../errors';
import { messagingMetrics, type MessagingMetrics } from '../messaging-metrics';
import { messagingDefaults, retentionOf, type StreamsClientOptions } from '../messaging-options';
import { xadd } from '../streams/stream-entries';
import { streamNames } from '../streams/stream-names';
import { TrimThrottle } from '../streams/trim-by-groups';
import { ReplyListener, type ReplyRoute } from './reply-listener';
import { StreamsRecord } from './streams-record';
import { requestContext } from '../request-context';

interface PendingCall {
  callback: (packet: WritePacket) => void;
  deadline: number;
  started: number;
  pattern: string;
}

/** Timeouts are checked by one sweep every few ms instead of a timer per call. */
const SWEEP_MS = 20;

/**
 * The client side of the Redis Streams transport: `send()` writes a command to the target service's
 * command stream and waits for the reply addressed to this instance alone (its own channel, with its
 * own stream as the fallback; see `ReplyListener`), so no other caller sees it; `emit()` appends an
 * event to this service's event stream.
 * Errors are `MessagingError`s with a code: `E_TIMEOUT`, `E_NO_HANDLER`, `E_REMOTE`, `E_UNAVAILABLE`
 * (not sent: safe to retry), `E_OUTCOME_UNKNOWN` (the write timed out: it may have been executed).
 * The streams written are trimmed by the consumer groups' positions now and then (`trimByGroups`).
 */
export class RedisStreamsClient extends ClientProxy implements OnApplicationShutdown {
  private readonly pending = new Map<string, PendingCall>();
  private readonly o: Required<Omit<StreamsClientOptions, 'registry' | 'retention'>> &
    Pick<StreamsClientOptions, 'retention'>;
  private readonly metrics: MessagingMetrics;
  private readonly replyStream: string;
  private readonly log = new Logger('RedisStreamsClient');
  private subscriber?: RedisClient;
  private replies?: ReplyListener;
  private readonly received: Record<ReplyRoute, number> = { pubsub: 0, stream: 0 };
  private connecting?: Promise<void>;
  private sweeper?: NodeJS.Timeout;
  private readonly sentCommandOk: { inc(): void };
  private readonly trims: TrimThrottle;

  constructor(options: StreamsClientOptions) {
    super();
    this.o = { ...messagingDefaults, ...options };
    this.metrics = messagingMetrics(options.registry);
    this.replyStream = streamNames.replies(options.connections.keys, options.service, options.instanceId);
    this.sentCommandOk = new CounterBuffer(this.metrics.sent).child({ kind: 'command', outcome: 'ok' });
    this.trims = new TrimThrottle(this.o.trimIntervalMs, (stream, err) =>
      this.log.warn({ msg: 'stream trim failed', stream, error: err.message }),
    );
  }

  /** Trims a stream this client writes, by its groups' positions (at most once per `trimIntervalMs`). */
  private trim(stream: string, kind: 'commands' | 'events'): void {
    this.trims.maybeTrim(this.o.connections.shared('data', 'background'), stream, retentionOf(this.o, kind));
  }

  /**
   * Starts the reply listener and gives it a moment to subscribe (a reply published before the
   * subscription is active takes the slower fallback stream). The wait is bounded by the request
   * connection's `commandTimeoutMs`: a Redis that does not answer a SUBSCRIBE in that time would not
   * answer the command's XADD either, so `send()` fails with `E_UNAVAILABLE` (nothing sent) instead of
   * waiting a connect timeout and then a command timeout. The next `send()` tries again.
   */
  connect(): Promise<void> {
    this.connecting ??= this.subscribeReplies().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  private async subscribeReplies(): Promise<void> {
    const { connectTimeoutMs, commandTimeoutMs } = this.o.connections.options;
    const requests = this.o.connections.shared('data', 'request');
    if (!this.replies) {
      this.subscriber = this.o.connections.dedicated('data', 'background', 'reply-subscriber');
      this.replies = new ReplyListener({
        subscriber: this.subscriber,
        reader: requests,
        address: this.replyStream,
        onReply: (reply, route) => this.onReply(reply, route),
        drainEveryMs: 1000,
        hasPendingCalls: () => this.pending.size > 0,
        logger: this.log,
        sharded: isCluster(this.subscriber),
      });
      this.replies.start();
    }
    // Not connected: send() fails at once on the request client (E_UNAVAILABLE), no wait here.
    if (!(await whenReady(requests, connectTimeoutMs))) return;
    let timer: NodeJS.Timeout | undefined;
    const subscribed = await Promise.race([
      this.replies.subscribed().then(
        () => true,
        () => true, // the subscription's own error is logged by the listener; the XADD will tell
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), commandTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (!subscribed)
      throw new MessagingError(
        'E_UNAVAILABLE',
        `Redis did not answer the reply subscription within ${commandTimeoutMs} ms; nothing was sent`,
      );
  }

  async close(): Promise<void> {
    await this.replies?.stop();
    this.replies = undefined;
    if (this.subscriber) await this.o.connections.release(this.subscriber);
    this.subscriber = undefined;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const [id, call] of this.pending)
      this.finish(id, call, { err: new MessagingError('E_CLOSED', 'client closed before the reply') });
    this.connecting = undefined;
  }

  /** Nest calls this for a client provided by a factory: pending calls fail with `E_CLOSED`, the reader stops. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  unwrap<T>(): T {
    return this.o.connections.shared('data', 'request') as T;
  }

  /** Replies received so far, by the route they took (the stream only after a subscriber reconnect). */
  get repliesReceived(): Readonly<Record<ReplyRoute, number>> {
    return { ...this.received };
  }

  /** Calls still waiting for a reply. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = newMessageId();
    const pattern = this.normalizePattern(packet.pattern);
    const started = Date.now();
    const envelope: Envelope = {
      id,
      pattern,
      data: packet.data,
      sender: `${this.o.service}:${this.o.instanceId}`,
      ts: started,
      replyTo: this.replyStream,
      deadline: started + this.o.timeoutMs,
    };
    const requestId = requestContext.requestId();
    if (requestId !== undefined) envelope.requestId = requestId;
    this.pending.set(id, { callback, deadline: started + this.o.timeoutMs, started, pattern });
    this.sweeper ??= setInterval(() => this.sweep(), SWEEP_MS).unref();
    // The request-path client fails at once while Redis is down, so a caller never hangs on it.
    const requests = this.o.connections.shared('data', 'request');
    coalesceWrites(requests);
    const stream = streamNames.commands(this.o.connections.keys, this.o.target);
    // One XADD, bounded by the request client's command timeout: the only Redis wait before the reply.
    xadd(requests, stream, encode(envelope)).then(
      () => this.sentCommandOk.inc(),
      (err: Error) => {
        this.metrics.sent.inc({ kind: 'command', outcome: 'error' });
        const call = this.pending.get(id);
        const code = writeFailureCode(err);
        const what = code === 'E_UNAVAILABLE' ? 'could not send' : 'outcome unknown (may run) for';
        if (call) this.fail(id, call, code, `${what} "${pattern}" to ${this.o.target}: ${err.message}`);
      },
    );
    this.trim(stream, 'commands');
    return () => {
      this.pending.delete(id);
    };
  }

  /** `emit(pattern, data)` or `emit(pattern, new StreamsRecord(data, { messageId }))`. */
  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const record = packet.data instanceof StreamsRecord ? (packet.data as StreamsRecord) : undefined;
    const envelope: Envelope = {
      id: record?.options.messageId ?? newMessageId(),
      pattern: this.normalizePattern(packet.pattern),
      data: record ? record.data : packet.data,
      sender: `${this.o.service}:${this.o.instanceId}`,
      ts: Date.now(),
    };
    const stream = streamNames.events(this.o.connections.keys, this.o.service);
    try {
      const entryId = await xadd(this.o.connections.shared('data', 'request'), stream, encode(envelope));
      this.metrics.sent.inc({ kind: 'event', outcome: 'ok' });
      this.trim(stream, 'events');
      return entryId as T;
    } catch (err) {
      this.metrics.sent.inc({ kind: 'event', outcome: 'error' });
      const code = writeFailureCode(err);
      const what = code === 'E_UNAVAILABLE' ? 'could not emit' : 'outcome unknown (may be written) for';
      throw new MessagingError(
        code,
        `${what} "${envelope.pattern}": ${(err as Error).message}`,
        undefined,
        undefined,
        envelope.id,
      );
    }
  }

  private onReply(reply: ReplyEnvelope, route: ReplyRoute): void {
    const call = this.pending.get(reply.id);
    if (!call) return;
    this.received[route]++;
    if (reply.error) {
      const e = reply.error;
      this.finish(reply.id, call, {
        err: new MessagingError(e.code as MessagingErrorCode, e.message, e.remoteCode, e.status),
      });
    } else {
      this.finish(reply.id, call, { response: reply.response, isDisposed: true });
    }
  }

  private fail(id: string, call: PendingCall, code: MessagingErrorCode, message: string): void {
    this.finish(id, call, { err: new MessagingError(code, message) });
  }

  /** Fails the calls whose deadline passed; calls are in send order, so the scan stops at the first live one. */
  private sweep(): void {
    const now = Date.now();
    for (const [id, call] of this.pending) {
      if (call.deadline > now) break;
      this.fail(
        id,
        call,
        'E_TIMEOUT',
        `no reply to "${call.pattern}" from ${this.o.target} within ${this.o.timeoutMs} ms`,
      );
    }
  }

  private finish(id: string, call: PendingCall, packet: WritePacket): void {
    this.pending.delete(id);
    this.metrics.replyLatency.observe((Date.now() - call.started) / 1000);
    call.callback(packet);
  }
}
