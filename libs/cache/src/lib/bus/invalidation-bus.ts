import { keepSubscribed, parseRedisUrl, type RedisClient, type RedisConnections } from '@shop/redis';
import { Cluster } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { parseBusMessage, type BusMessage } from './bus-message';
import { SenderLedger } from './sender-ledger';
import { ShardSubscription } from './shard-subscription';

export type { BusMessage } from './bus-message';

export interface BusHandlers {
  onMessage(message: BusMessage): void;
  /** Messages may have been missed: the receiver must expire its whole L1. */
  onGap(reason: 'sequence' | 'reconnect'): void;
}

/**
 * Cross-instance L1 invalidation over pub/sub. Pub/sub is fire-and-forget, so every message carries the
 * sender and a per-sender sequence number: a receiver that sees a number skipped, or whose subscriber
 * reconnected (messages published meanwhile are gone), reports a gap and the cache expires its L1.
 * A failed publish still consumes its number, and the sender flags its next message, so receivers
 * notice it even if they had forgotten that sender.
 *
 * Standalone / Sentinel: `PUBLISH` on the shared request connection — the one the L2 commands use — so
 * a message sent after a write on that connection reaches Redis after it (`orderedWithL2`).
 * Cluster: sharded pub/sub. A plain `PUBLISH` goes to a random node per call and messages from one
 * sender then arrive out of order (seen as false gaps that flush L1); `SPUBLISH` always goes to the
 * master owning the channel's slot, over one connection, so in order. The subscriber is pinned to that
 * master (`ShardSubscription`). L2 keys live on other masters, so on a Cluster the caller must await
 * its write before publishing (`orderedWithL2` is false).
 *
 * Events: `rejected` (a received message that is not valid, never acted on).
 */
export class InvalidationBus extends EventEmitter {
  readonly senderId = randomUUID();
  /** How every message of this instance starts (`publish` puts `s` first). */
  private readonly ownPrefix = `{"s":${JSON.stringify(this.senderId)},`;
  /** Whether this bus runs on a Redis Cluster (sharded pub/sub). */
  readonly sharded: boolean;
  private seq = 0;
  private publishFailed = false;
  private readonly senders = new SenderLedger();
  private subscriber?: RedisClient;
  private shard?: ShardSubscription;
  private activeOnce = false;
  private timedOut = false;

  constructor(
    private readonly connections: RedisConnections,
    private readonly channel: string,
    private readonly handlers: BusHandlers,
  ) {
    super();
    this.sharded = parseRedisUrl(connections.options.cacheUrl).kind === 'cluster';
  }

  /**
   * True once publishes travel on the same connection as L2 commands, in the order they are issued
   * (standalone/Sentinel). False on a Cluster: await the L2 write before `publish()`.
   */
  get orderedWithL2(): boolean {
    return !this.sharded;
  }

  /**
   * Whether the first subscription is active. Until then invalidations from other instances go
   * unheard, so the cache must not serve L1 hits.
   */
  get active(): boolean {
    return this.activeOnce;
  }

  /**
   * Subscribes. Resolves true once the subscription is active, or false after `timeoutMs` (Redis
   * down at start-up): it keeps subscribing in the background, and when it becomes active later it
   * reports a `reconnect` gap, since whatever the cache stored meanwhile may have been invalidated.
   */
  async start(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const onActive = (reconnected: boolean) => {
      const late = !reconnected && this.timedOut;
      this.activeOnce = true;
      if (!reconnected && !late) return;
      this.senders.clear();
      this.handlers.onGap('reconnect');
    };
    let active: Promise<void>;
    if (this.sharded) {
      const shard = new ShardSubscription(
        this.channel,
        (node) => this.connections.dedicatedNode('cache', 'background', 'cache-bus', node, false),
        (client) => this.connections.release(client),
        (text) => this.receive(text),
        onActive,
        () => this.seeds(),
      );
      this.shard = shard;
      shard.start();
      active = shard.active;
    } else {
      const subscriber = this.connections.dedicated('cache', 'background', 'cache-bus', false);
      this.subscriber = subscriber;
      subscriber.on('message', (_channel: string, text: string) => this.receive(text));
      // The gap is declared only once the subscription is active again: expiring L1 earlier would let
      // it refill, before we listen, with a value whose invalidation then goes unheard.
      active = keepSubscribed(subscriber, this.channel, onActive).active;
    }
    active.catch(() => undefined); // closed before the first answer (stopped): nothing to report
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      if (!Number.isFinite(timeoutMs)) return;
      timer = setTimeout(() => {
        // Marked here, synchronously: an activation from now on is late and must expire L1.
        if (!this.activeOnce) this.timedOut = true;
        resolve(false);
      }, timeoutMs);
    });
    const result = await Promise.race([active.then(() => true).catch(() => false), deadline]);
    clearTimeout(timer);
    return result;
  }

  /** Publishes; never throws (a lost message is detected by receivers as a gap). */
  async publish(message: Omit<BusMessage, 's' | 'q' | 'r'>): Promise<boolean> {
    const full: BusMessage = { s: this.senderId, q: ++this.seq, ...message };
    if (this.publishFailed) full.r = 1;
    const text = JSON.stringify(full);
    try {
      const client = this.connections.shared('cache', 'request');
      if (client instanceof Cluster) await client.spublish(this.channel, text);
      else await client.publish(this.channel, text);
      this.publishFailed = false;
      return true;
    } catch {
      this.publishFailed = true;
      return false;
    }
  }

  /** The subscriber's own connection (tests kill it to prove reconnects are noticed). */
  get subscriberConnection(): RedisClient | undefined {
    return this.shard?.connection ?? this.subscriber;
  }

  /** How many senders the gap check remembers (bounded). */
  get knownSenders(): number {
    return this.senders.size;
  }

  async stop(): Promise<void> {
    await this.shard?.stop();
    if (this.subscriber) await this.connections.release(this.subscriber);
    this.shard = undefined;
    this.subscriber = undefined;
  }

  /** Where a sharded subscription may start: the masters the L2 client knows now, then the URL's nodes. */
  private seeds(): Array<{ host: string; port: number }> {
    const client = this.connections.shared('cache', 'request');
    const live =
      client instanceof Cluster
        ? client.nodes('master').map((n) => ({ host: String(n.options.host), port: Number(n.options.port) }))
        : [];
    const endpoint = parseRedisUrl(this.connections.options.cacheUrl);
    return [...live, ...(endpoint.kind === 'cluster' ? endpoint.nodes : [])];
  }

  private receive(text: string): void {
    // Every instance hears its own messages too (one channel for all): those are dropped before
    // parsing, by the prefix `publish` writes, since each write of this instance would otherwise pay
    // a JSON parse on its own subscriber.
    if (text.startsWith(this.ownPrefix)) return;
    const message = parseBusMessage(text);
    if (!message) {
      this.emit('rejected', text.length);
      return;
    }
    if (message.s === this.senderId) return;
    const skipped = this.senders.record(message.s, message.q);
    if (skipped || message.r === 1) this.handlers.onGap('sequence');
    this.handlers.onMessage(message);
  }
}
