import { keepSubscribed, type RedisClient, type RedisConnections } from '@shop/redis';
import { randomUUID } from 'node:crypto';

/** One invalidation: keys to drop, tag versions to adopt, a pattern to drop, or everything. */
export interface BusMessage {
  /** Sender id (unique per process start). */
  s: string;
  /** Per-sender sequence number, 1, 2, 3, ... */
  q: number;
  k?: string[];
  t?: Record<string, number>;
  p?: string;
  c?: 1;
}

export interface BusHandlers {
  onMessage(message: BusMessage): void;
  /** Messages may have been missed: the receiver must expire its whole L1. */
  onGap(reason: 'sequence' | 'reconnect'): void;
}

/**
 * Cross-instance L1 invalidation over pub/sub. Pub/sub is fire-and-forget, so every message carries the
 * sender and a per-sender sequence number: a receiver that sees a number skipped, or whose subscriber
 * reconnected (messages published meanwhile are gone), reports a gap and the cache expires its L1.
 * A failed publish still consumes its number, so receivers notice it at the sender's next message.
 */
export class InvalidationBus {
  readonly senderId = randomUUID();
  private seq = 0;
  private readonly lastSeen = new Map<string, number>();
  private subscriber?: RedisClient;

  constructor(
    private readonly connections: RedisConnections,
    private readonly channel: string,
    private readonly handlers: BusHandlers,
  ) {}

  async start(): Promise<void> {
    const subscriber = this.connections.dedicated('cache', 'background', 'cache-bus', false);
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, text: string) => this.receive(text));
    // Whatever was published while disconnected is lost. The gap is declared only once the
    // subscription is active again: expiring L1 earlier would let it refill, before we listen, with a
    // value whose invalidation then goes unheard.
    await keepSubscribed(subscriber, this.channel, (reconnected) => {
      if (!reconnected) return;
      this.lastSeen.clear();
      this.handlers.onGap('reconnect');
    }).active;
  }

  /** Publishes; never throws (a lost message is detected by receivers as a gap). */
  async publish(message: Omit<BusMessage, 's' | 'q'>): Promise<boolean> {
    const full: BusMessage = { s: this.senderId, q: ++this.seq, ...message };
    try {
      await this.connections.shared('cache', 'request').publish(this.channel, JSON.stringify(full));
      return true;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    if (this.subscriber) await this.connections.release(this.subscriber);
    this.subscriber = undefined;
  }

  private receive(text: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      return;
    }
    if (message.s === this.senderId) return;
    const last = this.lastSeen.get(message.s);
    this.lastSeen.set(message.s, message.q);
    if (last !== undefined && message.q !== last + 1) this.handlers.onGap('sequence');
    this.handlers.onMessage(message);
  }
}
