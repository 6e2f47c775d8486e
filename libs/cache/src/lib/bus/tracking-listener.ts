import { keepSubscribed, type RedisClient, type RedisConnections } from '@shop/redis';

/**
 * Redis server-assisted invalidation (optional): `CLIENT TRACKING ON REDIRECT <id> BCAST PREFIX <p>` makes
 * Redis announce every write to a key under the cache's prefix — by any client, not only this library —
 * on `__redis__:invalidate`. RESP2 is required (ioredis 6 defaults to RESP3, whose push messages it
 * drops); `@shop/redis` sets it. A reconnect of either connection loses announcements, so it is a gap.
 */
export class TrackingListener {
  private subscriber?: RedisClient;
  private tracker?: RedisClient;
  private armed = false;

  constructor(
    private readonly connections: RedisConnections,
    private readonly prefix: string,
    private readonly onKeys: (keys: string[]) => void,
    private readonly onGap: () => void,
  ) {}

  async start(): Promise<void> {
    this.subscriber = this.connections.dedicated('cache', 'background', 'cache-tracking-sub', false);
    this.tracker = this.connections.dedicated('cache', 'background', 'cache-tracking', false);
    this.subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer | Buffer[]) => {
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
    await this.arm();
    this.armed = true;
  }

  async stop(): Promise<void> {
    this.armed = false;
    for (const client of [this.tracker, this.subscriber]) if (client) await this.connections.release(client);
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
