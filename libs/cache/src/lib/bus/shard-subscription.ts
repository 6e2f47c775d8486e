import type { Redis } from 'ioredis';

export interface NodeAddress {
  host: string;
  port: number;
}

/**
 * A sharded pub/sub subscription (`SSUBSCRIBE`) to one channel of a Redis Cluster, on a plain
 * connection of its own pinned to the master that owns the channel's slot.
 *
 * Why not ioredis' cluster subscriber: it replaces a dropped connection and re-subscribes on its own,
 * without a `ready` or any other signal, so messages published meanwhile are lost unnoticed. Owning the
 * connection, this class sees each reconnect, subscribes again itself and reports `onActive(true)`
 * once Redis has answered — the same contract as `keepSubscribed()` on a standalone Redis.
 *
 * The owner is found by asking: `SSUBSCRIBE` on a node that does not own the slot answers
 * `MOVED <slot> <host>:<port>`, and the subscription moves there. A slot migration later ends the
 * subscription with an unsolicited `SUNSUBSCRIBE` (ioredis emits `moved`): it subscribes again, follows
 * the new `MOVED`, and reports the move as a reconnect (messages may have been missed in between).
 * A pinned node that stays unreachable (it failed over and is gone) is left after a few reconnect
 * attempts for the next node of `seeds()`, which answers `MOVED` to the slot's current owner.
 */
/** Reconnect attempts to a pinned node, without it answering, before trying another node. */
const REPIN_AFTER_ATTEMPTS = 3;

export class ShardSubscription {
  readonly active: Promise<void>;
  private client?: Redis;
  private first = true;
  private subscribed = false;
  private stopped = false;
  private resolveActive!: () => void;
  private seedIndex = 0;

  constructor(
    private readonly channel: string,
    private readonly open: (node: NodeAddress) => Redis,
    private readonly release: (client: Redis) => Promise<void>,
    private readonly onText: (text: string) => void,
    private readonly onActive: (reconnected: boolean) => unknown,
    /** Nodes to (re)start from: any node of the Cluster will do. */
    private readonly seeds: () => NodeAddress[],
  ) {
    this.active = new Promise((resolve) => (this.resolveActive = resolve));
  }

  /** Starts at the first seed; `active` resolves once the first SSUBSCRIBE is answered. */
  start(): void {
    this.attach(this.nextSeed());
  }

  /** The connection currently pinned (for tests and `CLIENT LIST` diagnosis). */
  get connection(): Redis | undefined {
    return this.client;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    if (client) await this.release(client);
  }

  private attach(node: NodeAddress): void {
    if (this.stopped) return;
    const client = this.open(node);
    this.client = client;
    // ioredis would re-subscribe on `ready` itself, before the subscription is active and silently.
    client.options.autoResubscribe = false;
    client.on('smessage', (_channel: string, text: string) => this.onText(text));
    client.on('close', () => {
      if (client === this.client) this.subscribed = false;
    });
    let attempts = 0;
    client.on('reconnecting', () => {
      if (client === this.client && ++attempts >= REPIN_AFTER_ATTEMPTS)
        void this.repin(client, this.nextSeed());
    });
    client.on('ready', () => {
      attempts = 0;
      // Before the first answer the initial SSUBSCRIBE is still queued (and resent after a reconnect).
      if (client === this.client && !this.first) void this.subscribe(client);
    });
    client.on('moved', () => {
      // An unsolicited SUNSUBSCRIBE: the slot moved away (a MOVED reply to our own SSUBSCRIBE is
      // handled where it is awaited).
      if (client === this.client && this.subscribed) {
        this.subscribed = false;
        void this.subscribe(client);
      }
    });
    void this.subscribe(client);
  }

  private async repin(client: Redis, node: NodeAddress): Promise<void> {
    if (client !== this.client) return;
    this.client = undefined;
    this.subscribed = false;
    await this.release(client);
    this.attach(node);
  }

  private nextSeed(): NodeAddress {
    const seeds = this.seeds();
    return seeds[this.seedIndex++ % seeds.length];
  }

  private async subscribe(client: Redis): Promise<void> {
    try {
      await client.ssubscribe(this.channel);
    } catch (err) {
      if (client !== this.client || this.stopped) return;
      const moved = /^MOVED \d+ (.+):(\d+)$/.exec((err as Error).message);
      if (moved) await this.repin(client, { host: moved[1], port: Number(moved[2]) });
      return; // connection closed before the answer: the next `ready` tries again
    }
    if (client !== this.client || this.stopped) return;
    this.subscribed = true;
    const reconnected = !this.first;
    this.first = false;
    this.resolveActive();
    await this.onActive(reconnected);
  }
}
