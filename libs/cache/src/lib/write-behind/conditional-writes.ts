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
  /** What `readModifyWrite` last saw or wrote per key (see there). */
  readonly known = new Map<string, Known>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly stream: string,
    private readonly latest: string,
    private readonly retainedBase: string,
    readonly name: string,
    private readonly maxPendingKeys: number,
    private readonly retainMs: number,
  ) {}

  retainedKey(key: string): string {
    return `${this.retainedBase}:${key}`;
  }

  async accept(key: string, value: T, ifSeq: number | undefined): Promise<number> {
    const outcome = await this.acceptIf(key, serialize(value), ifSeq, undefined);
    if ('seq' in outcome) return outcome.seq;
    throw new WriteBehindConflictError(this.name, key, ifSeq as number, outcome.currentSeq);
  }

  /**
   * The compare-and-set of `accept` on the sequence and, with `ifWaiting`, on whether the current value
   * is still waiting; a refusal resolves with the key's current value (one round trip in all).
   */
  async acceptIf(
    key: string,
    text: string,
    ifSeq: number | undefined,
    ifWaiting: boolean | undefined,
  ): Promise<{ seq: number } | { currentSeq: number; current: WriteBehindCurrent<T> | undefined }> {
    const [seq, currentSeq, waiting, entry] = await ACCEPT_IF.run(
      await this.client(),
      [this.stream, this.latest, this.retainedKey(key)],
      [
        key,
        text,
        this.maxPendingKeys,
        ifSeq === undefined ? '' : ifSeq,
        this.retainMs,
        ifWaiting === undefined ? '' : ifWaiting ? '1' : '0',
      ],
    );
    if (seq === FULL) throw new WriteBehindFullError(this.name, this.maxPendingKeys);
    if (seq !== CONFLICT) return { seq: Number(seq) };
    return {
      currentSeq: Number(currentSeq),
      current: entry ? this.decode(entry, Number(waiting) === 1) : undefined,
    };
  }

  async read(keys: string[]): Promise<Array<WriteBehindCurrent<T> | undefined>> {
    if (keys.length === 0) return [];
    const replies = await READ_CURRENT.run(
      await this.client(),
      [this.latest, ...keys.map((k) => this.retainedKey(k))],
      [...keys, this.retainMs],
    );
    return replies.map((r) => (r.length === 0 ? undefined : this.decode(r[1], Number(r[0]) === 1)));
  }

  /** A hash or retained cell (`[seq, serialized value]`). */
  private decode(entry: string, waiting: boolean): WriteBehindCurrent<T> {
    const [seq, text] = JSON.parse(entry) as [number, string];
    return { value: deserialize<T>(text), seq, waiting };
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

/** What `readModifyWrite` remembers of a key: its value as this instance last saw or wrote it. */
interface Known {
  text: string;
  seq: number;
  waiting: boolean;
}

/** Keys whose last seen value `readModifyWrite` remembers per queue (the oldest are forgotten first). */
const MAX_KNOWN = 10_000;

/**
 * `WriteBehindQueue.update`: compute from the current value, compare-and-set; again on a conflict,
 * `attempts` times. The current value is the one this instance last saw or wrote for the key, if any,
 * else read from Redis: the compare-and-set on its sequence and waiting state is what makes it safe (a
 * write by another instance, or a persist meanwhile, makes it fail), and a refusal brings the current
 * value along, so a change of a key this instance keeps changing costs one round trip instead of two.
 * A throw of `next` on a remembered value is not trusted: it runs again on the value read from Redis.
 */
export async function readModifyWrite<T>(
  writes: ConditionalWrites<T>,
  key: string,
  next: (current: WriteBehindCurrent<T> | undefined) => T | Promise<T>,
  attempts: number,
): Promise<{ value: T; seq: number }> {
  const known = writes.known;
  const remembered = known.get(key);
  // A fresh copy each time: `next` and the caller get values nobody else holds.
  let current: WriteBehindCurrent<T> | undefined = remembered
    ? { value: deserialize<T>(remembered.text), seq: remembered.seq, waiting: remembered.waiting }
    : (await writes.read([key]))[0];
  // A remembered value is not known to be current: a refusal by `next` counts only on a value read
  // from Redis (or brought by a refused compare-and-set), else another instance's change would be
  // refused against the state before it.
  let verified = !remembered;
  for (let attempt = 1; ; attempt++) {
    let value: T;
    try {
      value = await next(current);
    } catch (err) {
      if (verified) throw err;
      known.delete(key);
      current = (await writes.read([key]))[0];
      verified = true;
      value = await next(current);
    }
    const text = serialize(value);
    const ifSeq = current?.seq ?? 0;
    let outcome: Awaited<ReturnType<ConditionalWrites<T>['acceptIf']>>;
    try {
      outcome = await writes.acceptIf(key, text, ifSeq, current?.waiting ?? false);
    } catch (err) {
      known.delete(key); // outcome unknown (a timeout may have applied it): read it next time
      throw err;
    }
    if ('seq' in outcome) {
      known.delete(key); // re-inserted last: the map is ordered by use
      known.set(key, { text, seq: outcome.seq, waiting: true });
      if (known.size > MAX_KNOWN) known.delete(known.keys().next().value as string);
      return { value, seq: outcome.seq };
    }
    known.delete(key);
    if (attempt >= attempts) throw new WriteBehindConflictError(writes.name, key, ifSeq, outcome.currentSeq);
    current = outcome.current;
    verified = true;
  }
}
