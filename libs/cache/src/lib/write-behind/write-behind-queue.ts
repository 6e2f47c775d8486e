import { Logger } from '@nestjs/common';
import { LuaScript, reconnectDelay, type RedisClient, type RedisConnections } from '@shop/redis';
import { Gauge, register as globalRegistry, type Registry } from 'prom-client';
import { deserialize, serialize } from '../serializer/serializer';

export interface WriteBehindOptions<T> {
  connections: RedisConnections;
  /** Queue name: part of the stream and hash keys. */
  name: string;
  /** Stable consumer name (pod name), so a restarted instance finds its own pending entries. */
  instanceId: string;
  /** Writes one coalesced batch to the store: the latest value of each key. Must be idempotent (it may be retried). */
  persist: (batch: Array<{ key: string; value: T }>) => Promise<void>;
  /** Entries read per batch. @default 500 */
  batchSize?: number;
  /** Longest a write waits before its batch is flushed. @default 100 */
  blockMs?: number;
  /** Pending entries of a consumer idle this long are taken over. @default 5000 */
  claimIdleMs?: number;
  /** @default 1_000_000 */
  maxStreamLength?: number;
  registry?: Registry;
}

// Accept a write: remember the latest value per key (with a sequence) and append the key to the stream,
// atomically, so a crash never leaves a value without its queue entry.
const ACCEPT = new LuaScript<number>(
  'write-behind-accept',
  `local seq = redis.call('HINCRBY', KEYS[2], '__seq', 1)
   redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({seq, ARGV[2]}))
   redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'k', ARGV[1], 's', seq)
   return seq`,
);

// After a successful persist: forget a key's latest value only if no newer write arrived meanwhile.
const SETTLE = new LuaScript<number>(
  'write-behind-settle',
  `local n = 0
   for i = 1, #ARGV, 2 do
     local cur = redis.call('HGET', KEYS[2], ARGV[i])
     if cur and cjson.decode(cur)[1] == tonumber(ARGV[i + 1]) then redis.call('HDEL', KEYS[2], ARGV[i]); n = n + 1 end
   end
   return n`,
);

/**
 * Write-behind: `write()` returns as soon as Redis holds the value (durable with AOF); a consumer group
 * persists asynchronously, in batches, coalescing all writes of one key in a batch into one store write
 * of its latest value. A consumer that dies mid-batch leaves its entries pending; another instance (or
 * itself after a restart) takes them over, so nothing acknowledged by `write()` is lost.
 * The lag (age of the oldest unpersisted write) is exported as `cache_write_behind_lag_seconds`.
 */
export class WriteBehindQueue<T> {
  private readonly o: Required<Omit<WriteBehindOptions<T>, 'registry'>>;
  private readonly stream: string;
  private readonly latest: string;
  private readonly group = 'writers';
  private readonly log = new Logger('WriteBehind');
  private readonly lag: Gauge;
  private reader?: RedisClient;
  private running = false;
  private loop?: Promise<void>;
  private oldestPendingMs = 0;

  constructor(options: WriteBehindOptions<T>) {
    this.o = { batchSize: 500, blockMs: 100, claimIdleMs: 5000, maxStreamLength: 1_000_000, ...options };
    this.stream = options.connections.keys.tagged('wb', options.name, 'queue');
    this.latest = options.connections.keys.tagged('wb', options.name, 'latest');
    const registry = options.registry ?? globalRegistry;
    this.lag =
      (registry.getSingleMetric('cache_write_behind_lag_seconds') as Gauge | undefined) ??
      new Gauge({
        name: 'cache_write_behind_lag_seconds',
        help: 'Age of the oldest write not yet persisted',
        labelNames: ['queue'],
        registers: [registry],
      });
    this.lag.set({ queue: options.name }, 0);
  }

  /** Accepts a write into Redis; resolves once Redis has it. Throws if Redis is unavailable (nothing is lost silently). */
  async write(key: string, value: T): Promise<void> {
    if (key === '__seq' || key.length === 0 || key.length > 512)
      throw new Error(`invalid write-behind key "${key.slice(0, 80)}"`);
    await ACCEPT.run(
      this.o.connections.shared('data', 'request'),
      [this.stream, this.latest],
      [key, serialize(value), this.o.maxStreamLength],
    );
  }

  async start(): Promise<void> {
    const writer = this.o.connections.shared('data', 'background');
    await writer.xgroup('CREATE', this.stream, this.group, '0', 'MKSTREAM').catch((err: Error) => {
      if (!err.message.startsWith('BUSYGROUP')) throw err;
    });
    this.reader = this.o.connections.dedicated('data', 'background', `write-behind-${this.o.name}`);
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in progress (which is persisted and acked). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.reader) await this.o.connections.release(this.reader);
  }

  private async run(): Promise<void> {
    const writer = this.o.connections.shared('data', 'background');
    let ownPending = true; // first, what this consumer left unacked before a restart
    let lastClaim = 0;
    let failures = 0;
    while (this.running) {
      try {
        let entries: Array<[string, string[]]> = [];
        if (Date.now() - lastClaim > this.o.claimIdleMs / 2) {
          lastClaim = Date.now();
          const [, claimed] = (await writer.xautoclaim(
            this.stream,
            this.group,
            this.o.instanceId,
            this.o.claimIdleMs,
            '0-0',
            'COUNT',
            this.o.batchSize,
          )) as [string, Array<[string, string[]]>];
          entries = claimed.filter(([, f]) => f !== null);
        }
        if (entries.length === 0) {
          const args = ['GROUP', this.group, this.o.instanceId, 'COUNT', String(this.o.batchSize)];
          if (!ownPending) args.push('BLOCK', String(this.o.blockMs));
          args.push('STREAMS', this.stream, ownPending ? '0' : '>');
          const reply = (await (this.reader as RedisClient).call('XREADGROUP', ...args)) as Array<
            [string, Array<[string, string[]]>]
          > | null;
          entries = reply?.[0]?.[1] ?? [];
          if (ownPending && entries.length === 0) ownPending = false;
        }
        if (entries.length > 0) await this.flush(writer, entries);
        failures = 0;
        this.lag.set(
          { queue: this.o.name },
          this.oldestPendingMs ? (Date.now() - this.oldestPendingMs) / 1000 : 0,
        );
      } catch (err) {
        if (!this.running) break;
        this.log.warn({
          msg: 'write-behind batch failed; it stays pending and is retried',
          queue: this.o.name,
          error: (err as Error).message,
        });
        await new Promise((r) => setTimeout(r, reconnectDelay(++failures, 2000)));
      }
    }
  }

  private async flush(writer: RedisClient, entries: Array<[string, string[]]>): Promise<void> {
    this.oldestPendingMs = Number(entries[0][0].split('-')[0]);
    const keys = [...new Set(entries.filter(([, f]) => f).map(([, f]) => f[f.indexOf('k') + 1]))];
    const raw = keys.length > 0 ? await writer.hmget(this.latest, ...keys) : [];
    const batch: Array<{ key: string; value: T; seq: number }> = [];
    keys.forEach((key, i) => {
      const cell = raw[i];
      if (!cell) return; // already persisted by an earlier batch (this entry was a duplicate)
      const [seq, text] = JSON.parse(cell) as [number, string];
      batch.push({ key, value: deserialize<T>(text), seq });
    });
    if (batch.length > 0) await this.o.persist(batch.map(({ key, value }) => ({ key, value })));
    await SETTLE.run(
      writer,
      [this.stream, this.latest],
      batch.flatMap((b) => [b.key, b.seq]),
    );
    await writer.xack(this.stream, this.group, ...entries.map(([id]) => id));
    this.oldestPendingMs = 0;
  }
}
