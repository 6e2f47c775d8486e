import type { LoggerService } from '@nestjs/common';
import { keepSubscribed, type RedisClient, type Subscription } from '@shop/redis';
import { ENVELOPE_FIELD, type ReplyEnvelope } from '../envelope';
import { entriesOf } from '../streams/stream-entries';

export type ReplyRoute = 'pubsub' | 'stream';

export interface ReplyListenerOptions {
  /** A dedicated connection, used only to subscribe to the caller's reply channel. */
  subscriber: RedisClient;
  /** A connection for reading the reply stream (not the subscriber: it is in subscribe mode). */
  reader: RedisClient;
  /** The caller's reply address: the name of both its channel and its fallback stream. */
  address: string;
  onReply: (reply: ReplyEnvelope, route: ReplyRoute) => void;
  /** While calls wait, the fallback stream is also read this often, as a safety net. */
  drainEveryMs: number;
  hasPendingCalls: () => boolean;
  logger: LoggerService;
  /** Sharded pub/sub (`SSUBSCRIBE`, on a Cluster): the server `SPUBLISH`es, whose count is exact there. */
  sharded?: boolean;
}

/**
 * Receives one caller's replies. Servers `PUBLISH` a reply to the caller's own channel (one command, no
 * stored entry: the cheap path). When that reaches nobody (`PUBLISH` returned 0 because this
 * subscriber was disconnected), the server appends the reply to the caller's stream instead; this
 * listener reads that stream from the last id it saw each time its subscriber is (re)subscribed, so a
 * reply sent during a reconnect still reaches its caller. A reply read twice is harmless: the client
 * ignores ids it no longer waits for.
 */
export class ReplyListener {
  private lastId = '0-0';
  private draining?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private subscription?: Subscription;

  constructor(private readonly o: ReplyListenerOptions) {}

  private get event(): 'message' | 'smessage' {
    return this.o.sharded ? 'smessage' : 'message';
  }

  start(): void {
    this.o.subscriber.on(this.event, this.onMessage);
    // On every (re)subscription: collect what went to the stream while nobody listened.
    this.subscription = keepSubscribed(this.o.subscriber, this.o.address, () => this.drain(), {
      sharded: this.o.sharded,
    });
    this.subscription.active.catch((err: Error) =>
      this.o.logger.warn?.({
        msg: 'reply channel subscribe failed',
        channel: this.o.address,
        error: err.message,
      }),
    );
    this.timer = setInterval(() => {
      if (this.o.hasPendingCalls()) void this.drain();
    }, this.o.drainEveryMs).unref();
  }

  /** Resolves once the first subscription is active (or rejects with the connection's error). */
  subscribed(): Promise<void> {
    return this.subscription?.active ?? Promise.reject(new Error('reply listener not started'));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.o.subscriber.off(this.event, this.onMessage);
    this.subscription?.stop();
    await this.draining;
  }

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.o.address) return;
    this.deliver(message, 'pubsub');
  };

  private drain(): Promise<void> {
    this.draining ??= this.readStream().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async readStream(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped) return;
        const reply = await this.o.reader.xread('COUNT', 500, 'STREAMS', this.o.address, this.lastId);
        const entries = entriesOf(reply);
        for (const [id, fields] of entries) {
          this.lastId = id;
          const index = fields?.indexOf(ENVELOPE_FIELD) ?? -1;
          if (fields && index >= 0) this.deliver(fields[index + 1], 'stream');
        }
        if (entries.length < 500) return;
      }
    } catch (err) {
      // The next (re)connect or drain tick reads again from the same id.
      this.o.logger.warn?.({
        msg: 'reply stream read failed',
        stream: this.o.address,
        error: (err as Error).message,
      });
    }
  }

  private deliver(json: string, route: ReplyRoute): void {
    let reply: ReplyEnvelope;
    try {
      reply = JSON.parse(json) as ReplyEnvelope;
    } catch {
      return; // a reply we cannot read has no caller to tell
    }
    this.o.onReply(reply, route);
  }
}
