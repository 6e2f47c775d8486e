import { whenReady, type RedisClient, type RedisConnections } from '@shop/redis';
import { deserialize, serialize } from '../serializer/serializer';
import { ACCEPT_IF, CONFLICT, FULL, READ_CURRENT } from './write-behind-scripts';
import { WriteBehindConflictError, WriteBehindFullError } from './write-behind-options';

/** A key's current value in the queue: still waiting to be persisted, or retained after it was. */
export interface WriteBehindCurrent<T> {
  value: T;
  seq: number;
  /** True while the value is not yet persisted. */
  waiting: boolean;
}

/**
 * Reads and compare-and-set writes of write-behind keys (see `WriteBehindQueue.read`/`write`/`update`):
 * all in Redis, in one script each, so every instance reads a write the moment it was accepted and a
 * check of the current value plus the write that depends on it are atomic.
 */
export class ConditionalWrites<T> {
  constructor(
    private readonly connections: RedisConnections,
    private readonly stream: string,
    private readonly latest: string,
    private readonly retainedBase: string,
    private readonly name: string,
    private readonly maxPendingKeys: number,
    private readonly retainMs: number,
  ) {}

  retainedKey(key: string): string {
    return `${this.retainedBase}:${key}`;
  }

  async accept(key: string, value: T, ifSeq: number | undefined): Promise<number> {
    const [seq, current] = await ACCEPT_IF.run(
      await this.client(),
      [this.stream, this.latest, this.retainedKey(key)],
      [key, serialize(value), this.maxPendingKeys, ifSeq === undefined ? '' : ifSeq, this.retainMs],
    );
    if (seq === FULL) throw new WriteBehindFullError(this.name, this.maxPendingKeys);
    if (seq === CONFLICT)
      throw new WriteBehindConflictError(this.name, key, ifSeq as number, Number(current));
    return Number(seq);
  }

  async read(keys: string[]): Promise<Array<WriteBehindCurrent<T> | undefined>> {
    if (keys.length === 0) return [];
    const replies = await READ_CURRENT.run(
      await this.client(),
      [this.latest, ...keys.map((k) => this.retainedKey(k))],
      [...keys, this.retainMs],
    );
    return replies.map((r) => {
      if (r.length === 0) return undefined;
      const [seq, text] = JSON.parse(r[1]) as [number, string];
      return { value: deserialize<T>(text), seq, waiting: Number(r[0]) === 1 };
    });
  }

  /**
   * The shared request client, once connected: it has no offline queue, so a call right after start-up
   * would be refused while its first connect is under way; waits at most one command timeout.
   */
  async client(): Promise<RedisClient> {
    const client = this.connections.shared('data', 'request');
    if (client.status !== 'ready') await whenReady(client, this.connections.options.commandTimeoutMs);
    return client;
  }
}

/** `WriteBehindQueue.update`: read, compute, compare-and-set; again on a conflict, `attempts` times. */
export async function readModifyWrite<T>(
  queue: {
    read(key: string): Promise<WriteBehindCurrent<T> | undefined>;
    write(key: string, value: T, options: { ifSeq?: number }): Promise<number>;
  },
  key: string,
  next: (current: WriteBehindCurrent<T> | undefined) => T | Promise<T>,
  attempts: number,
): Promise<{ value: T; seq: number }> {
  for (let attempt = 1; ; attempt++) {
    const current = await queue.read(key);
    const value = await next(current);
    try {
      return { value, seq: await queue.write(key, value, { ifSeq: current?.seq ?? 0 }) };
    } catch (err) {
      if (!(err instanceof WriteBehindConflictError) || attempt >= attempts) throw err;
    }
  }
}
