import { keepSubscribed, type RedisClient, type RedisConnections } from '@shop/redis';

/**
 * Redis server-assisted invalidation (optional): `CLIENT TRACKING ON REDIRECT <id> BCAST PREFIX <p>` makes
 * Redis announce every write to a key under the cache's prefix — by any client, not only this library —
 * on `__redis__:invalidate`. RESP2 is required (ioredis 6 defaults to RESP3, whose push messages it
 * drops); `@shop/redis` sets it. A reconnect of either connection loses announcements, so it is a gap.
 * `FLUSHALL`/`FLUSHDB` are announced as one invalidation with a null key list: every key is gone.
 */
export class TrackingListener {
  private subscriber?: RedisClient;
  private tracker?: RedisClient;
  private armed = false;
  private timedOut = false;

  constructor(
    private readonly connections: RedisConnections,
    private readonly prefix: string,
    private readonly onKeys: (keys: string[]) => void,
    private readonly onGap: () => void,
    private readonly onFlush: () => void,
  ) {}

  /** Whether tracking was armed at least once (before that, writes by others go unannounced). */
  get active(): boolean {
    return this.armed;
  }

  /**
   * Subscribes and arms tracking. Resolves true once armed, or false after `timeoutMs` (Redis down):
   * it goes on in the background and, armed late, reports a gap (L1 may hold what changed meanwhile).
   */
  async start(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const started = this.arrange();
    started.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<boolean>((resolve) => {
      if (!Number.isFinite(timeoutMs)) return;
      timer = setTimeout(() => {
        // Marked here, synchronously: an activation from now on is late and must expire L1.
        if (!this.armed) this.timedOut = true;
        resolve(false);
      }, timeoutMs);
    });
    const result = await Promise.race([started.then(() => true).catch(() => false), deadline]);
    clearTimeout(timer);
    return result;
  }

  async stop(): Promise<void> {
    this.armed = false;
    this.timedOut = false;
    for (const client of [this.tracker, this.subscriber]) if (client) await this.connections.release(client);
  }

  private async arrange(): Promise<void> {
    this.subscriber = this.connections.dedicated('cache', 'background', 'cache-tracking-sub', false);
    this.tracker = this.connections.dedicated('cache', 'background', 'cache-tracking', false);
    this.subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer | Buffer[] | null) => {
      // RESP2 sends FLUSHALL/FLUSHDB as a null array: not a key named "null", but all of them.
      if (message === null) return this.onFlush();
      const keys = Array.isArray(message) ? message.map(String) : [String(message)];
      this.onKeys(keys);
    });
    // Expire L1 only once announcements flow again, so nothing refills it while nobody listens; expire
    // even if re-arming failed (dropped again: the next 'ready' tries once more).
    const rearm = () =>
      this.arm()
        .finally(() => this.onGap())
        .catch(() => undefined);
    await keepSubscribed(this.subscriber, '__redis__:invalidate', (reconnected) =>
      reconnected && this.armed ? rearm() : undefined,
    ).active;
    // The tracker's reconnect loses CLIENT TRACKING (not a subscription: its own 'ready' re-arms it).
    this.tracker.on('ready', () => void (this.armed && rearm()));
    // The subscriber may reconnect between reading its id and arming: try again until it holds.
    for (;;) {
      try {
        await this.arm();
        break;
      } catch (err) {
        if (!this.tracker || this.tracker.status === 'end') throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.armed = true;
    if (this.timedOut) this.onGap();
  }

  /** Points tracking of every key under the prefix at the subscriber (again after a reconnect). */
  private async arm(): Promise<void> {
    const subscriber = this.subscriber as RedisClient;
    const tracker = this.tracker as RedisClient;
    // CLIENT ID cannot run on a subscribed connection; read it from CLIENT LIST by the connection's name.
    const name = (subscriber.options as { connectionName?: string }).connectionName;
    const list = String(await tracker.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const line = list.split('\n').find((l) => name && l.includes(` name=${name} `));
    const id = line ? /(?:^|\s)id=(\d+)/.exec(line)?.[1] : undefined;
    if (!id) throw new Error('tracking: subscriber connection not found in CLIENT LIST');
    await tracker.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', id, 'BCAST', 'PREFIX', this.prefix);
  }
}
