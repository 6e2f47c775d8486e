import { Logger } from '@nestjs/common';
import { ensureGroup, LuaScript, reconnectDelay, type RedisClient, type RedisConnections } from '@shop/redis';
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
  /** Pending entries of a consumer idle this long are taken over (a running `persist` keeps its claim fresh). @default 5000 */
  claimIdleMs?: number;
  /**
   * Most keys waiting to be persisted. A write of a key that is not already waiting is refused with
   * `WriteBehindFullError` (`E_WRITE_BEHIND_FULL`) once this many are; writes of waiting keys still
   * coalesce. Bounds the hash and the stream (one entry per waiting key). @default 100_000
   */
  maxPendingKeys?: number;
  /**
   * @deprecated Ignored. The stream no longer grows with every write nor is trimmed (trimming could drop
   * entries not yet persisted): it holds one entry per waiting key, bounded by `maxPendingKeys`.
   */
  maxStreamLength?: number;
  registry?: Registry;
}

/** What is waiting to be persisted, measured in Redis (for health checks). */
export interface WriteBehindStats {
  /** Age of the oldest write not yet persisted, by Redis' clock; 0 when nothing waits. */
  oldestUnpersistedAgeMs: number;
  /** Keys whose latest value is not yet persisted. */
  pendingKeys: number;
}

/** `write()` refused a new key because `maxPendingKeys` keys already wait (backpressure; nothing was stored). */
export class WriteBehindFullError extends Error {
  readonly code = 'E_WRITE_BEHIND_FULL' as const;

  constructor(
    readonly queue: string,
    readonly maxPendingKeys: number,
  ) {
    super(
      `write-behind queue "${queue}" is full: ${maxPendingKeys} keys wait to be persisted (is the consumer running?)`,
    );
    this.name = 'WriteBehindFullError';
  }
}

/** ACCEPT's reply when the queue is full. */
const FULL = -1;

// Accept a write: remember the latest value per key (with a sequence) and, only if the key was not
// already waiting, append it to the stream. So the stream holds at most one live entry per waiting key
// (the consumer reads the key's latest value from the hash when it processes the entry), and never
// needs trimming. Atomic, so a crash never leaves a value without its queue entry.
// The hash also holds the `__seq` counter, hence `HLEN - 1` waiting keys.
const ACCEPT = new LuaScript<number>(
  'write-behind-accept-v2',
  `local waiting = redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1
   if not waiting then
     local n = redis.call('HLEN', KEYS[2])
     if n > 0 then n = n - 1 end
     if n >= tonumber(ARGV[3]) then return ${FULL} end
   end
   local seq = redis.call('HINCRBY', KEYS[2], '__seq', 1)
   redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({seq, ARGV[2]}))
   if not waiting then redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 's', seq) end
   return seq`,
);

// After a successful persist, in one step: ack and delete the batch's entries (the stream keeps only
// unprocessed ones), and per persisted key either forget its value (no newer write came) or, if a write
// arrived during the persist, queue the key again - ACCEPT did not add an entry for that write because
// the key was still waiting, so without this the newer value would sit in the hash unqueued forever.
// The re-queue happens only if this call deleted the key's entry: if another consumer (which took the
// entry over) settled it first, it has already re-queued or forgotten the key, and a second entry would
// break "one entry per waiting key".
// ARGV: group, entry count, (id, key)*, then (key, seq)* of the persisted batch.
const SETTLE = new LuaScript<number>(
  'write-behind-settle-v2',
  `local owned = {}
   local n = tonumber(ARGV[2])
   for i = 3, 2 + 2 * n, 2 do
     redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
     if redis.call('XDEL', KEYS[1], ARGV[i]) == 1 and ARGV[i + 1] ~= '' then owned[ARGV[i + 1]] = true end
   end
   local requeued = 0
   for i = 3 + 2 * n, #ARGV, 2 do
     local key = ARGV[i]
     local cur = redis.call('HGET', KEYS[2], key)
     if cur then
       local seq = cjson.decode(cur)[1]
       if seq == tonumber(ARGV[i + 1]) then
         redis.call('HDEL', KEYS[2], key)
       elseif owned[key] then
         redis.call('XADD', KEYS[1], '*', 'k', key, 's', seq)
         requeued = requeued + 1
       end
     end
   end
   return requeued`,
);

// One consistent snapshot: Redis' clock, the first (oldest) stream entry and the hash size. The entry id
// carries Redis' ms time of the write that queued it, so the age needs no host clock.
const STATS = new LuaScript<[number | string, number | string, string, number]>(
  'write-behind-stats',
  `local t = redis.call('TIME')
   local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
   return {t[1], t[2], first and first[1] or '', redis.call('HLEN', KEYS[2])}`,
);

type StreamEntry = [id: string, fields: string[] | null];

// Several queues may share one registry (and so one gauge); the gauge's collect refreshes all of them.
const queuesByGauge = new WeakMap<Gauge, Set<{ refreshMetrics(): Promise<void> }>>();

function queueGauge(registry: Registry, name: string, help: string): Gauge {
  const existing = registry.getSingleMetric(name) as Gauge | undefined;
  if (existing) return existing;
  const queues = new Set<{ refreshMetrics(): Promise<void> }>();
  const gauge = new Gauge({
    name,
    help,
    labelNames: ['queue'],
    registers: [registry],
    // On scrape, measure in Redis: the value must be right while no consumer runs (then nothing else updates it).
    async collect() {
      await Promise.all([...queues].map((q) => q.refreshMetrics()));
    },
  });
  queuesByGauge.set(gauge, queues);
  return gauge;
}

/**
 * Write-behind: `write()` returns as soon as Redis holds the value (durable with AOF); a consumer group
 * persists asynchronously, in batches, coalescing all writes of one key into one store write of its
 * latest value. The stream holds one entry per key waiting to be persisted (processed entries are
 * acked and deleted), bounded by `maxPendingKeys`; beyond that new keys are refused, never dropped.
 * A consumer that dies mid-batch leaves its entries pending; another instance (or itself after a
 * restart) takes them over, so nothing acknowledged by `write()` is lost.
 * The age of the oldest unpersisted write is exported as `cache_write_behind_lag_seconds` and the number
 * of waiting keys as `cache_write_behind_pending_keys`, both measured in Redis (`stats()`).
 */
export class WriteBehindQueue<T> {
  private readonly o: Required<Omit<WriteBehindOptions<T>, 'registry' | 'maxStreamLength'>>;
  private readonly stream: string;
  private readonly latest: string;
  private readonly group = 'writers';
  private readonly log = new Logger('WriteBehind');
  private readonly lag: Gauge;
  private readonly pending: Gauge;
  private reader?: RedisClient;
  private running = false;
  private loop?: Promise<void>;
  private refreshing?: Promise<void>;

  constructor(options: WriteBehindOptions<T>) {
    this.o = { batchSize: 500, blockMs: 100, claimIdleMs: 5000, maxPendingKeys: 100_000, ...options };
    if (!(this.o.maxPendingKeys >= 1)) throw new Error('write-behind maxPendingKeys must be at least 1');
    this.stream = options.connections.keys.tagged('wb', options.name, 'queue');
    this.latest = options.connections.keys.tagged('wb', options.name, 'latest');
    const registry = options.registry ?? globalRegistry;
    this.lag = queueGauge(
      registry,
      'cache_write_behind_lag_seconds',
      'Age of the oldest write not yet persisted',
    );
    this.pending = queueGauge(registry, 'cache_write_behind_pending_keys', 'Keys waiting to be persisted');
    queuesByGauge.get(this.lag)?.add(this);
    queuesByGauge.get(this.pending)?.add(this);
    this.lag.set({ queue: options.name }, 0);
    this.pending.set({ queue: options.name }, 0);
  }

  /**
   * Accepts a write into Redis; resolves once Redis has it. Throws if Redis is unavailable, and
   * `WriteBehindFullError` if the key is new and `maxPendingKeys` keys already wait (nothing is lost silently).
   */
  async write(key: string, value: T): Promise<void> {
    if (key === '__seq' || key.length === 0 || key.length > 512)
      throw new Error(`invalid write-behind key "${key.slice(0, 80)}"`);
    const seq = await ACCEPT.run(
      this.o.connections.shared('data', 'request'),
      [this.stream, this.latest],
      [key, serialize(value), this.o.maxPendingKeys],
    );
    if (seq === FULL) throw new WriteBehindFullError(this.o.name, this.o.maxPendingKeys);
  }

  /** Age of the oldest unpersisted write and the number of waiting keys, read from Redis (any instance may ask). */
  async stats(): Promise<WriteBehindStats> {
    const [sec, usec, firstId, hlen] = await STATS.run(this.o.connections.shared('data', 'background'), [
      this.stream,
      this.latest,
    ]);
    const nowMs = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
    // Clamped: an id can be ahead of TIME if Redis' clock stepped back (ids never go back).
    const oldestUnpersistedAgeMs = firstId ? Math.max(0, nowMs - Number(firstId.split('-')[0])) : 0;
    return { oldestUnpersistedAgeMs, pendingKeys: Math.max(0, Number(hlen) - 1) };
  }

  /** Sets both gauges from `stats()`; a failure keeps the previous values (a scrape must not fail on Redis). */
  async refreshMetrics(): Promise<void> {
    // Single flight: the two gauges' collects may ask at the same moment.
    this.refreshing ??= this.stats()
      .then(({ oldestUnpersistedAgeMs, pendingKeys }) => {
        this.lag.set({ queue: this.o.name }, oldestUnpersistedAgeMs / 1000);
        this.pending.set({ queue: this.o.name }, pendingKeys);
      })
      .catch((err: Error) => {
        this.log.debug({ msg: 'write-behind stats failed', queue: this.o.name, error: err.message });
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  async start(): Promise<void> {
    await ensureGroup(this.o.connections.shared('data', 'background'), this.stream, this.group);
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
        let entries: StreamEntry[] = [];
        if (Date.now() - lastClaim > this.o.claimIdleMs / 2) {
          lastClaim = Date.now();
          // Redis >= 7 drops entries deleted meanwhile from the PEL itself; 6.2 returns them with null
          // fields, and those go to flush too so they get acked.
          const [, claimed] = (await writer.xautoclaim(
            this.stream,
            this.group,
            this.o.instanceId,
            this.o.claimIdleMs,
            '0-0',
            'COUNT',
            this.o.batchSize,
          )) as [string, StreamEntry[]];
          entries = claimed;
        }
        if (entries.length === 0) {
          const args = ['GROUP', this.group, this.o.instanceId, 'COUNT', String(this.o.batchSize)];
          if (!ownPending) args.push('BLOCK', String(this.o.blockMs));
          args.push('STREAMS', this.stream, ownPending ? '0' : '>');
          const reply = (await (this.reader as RedisClient).call('XREADGROUP', ...args)) as Array<
            [string, StreamEntry[]]
          > | null;
          entries = reply?.[0]?.[1] ?? [];
          if (ownPending && entries.length === 0) ownPending = false;
        }
        // No stats call per batch: the gauges measure in Redis when they are scraped.
        if (entries.length > 0) await this.flush(writer, entries);
        failures = 0;
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

  private async flush(writer: RedisClient, entries: StreamEntry[]): Promise<void> {
    const keyOf = (fields: string[] | null): string =>
      fields ? (fields[fields.indexOf('k') + 1] ?? '') : '';
    const keys = [...new Set(entries.map(([, f]) => keyOf(f)).filter((k) => k !== ''))];
    const raw = keys.length > 0 ? await writer.hmget(this.latest, ...keys) : [];
    const batch: Array<{ key: string; value: T; seq: number }> = [];
    keys.forEach((key, i) => {
      const cell = raw[i];
      if (!cell) return; // already persisted (this entry was processed twice, e.g. after a takeover)
      const [seq, text] = JSON.parse(cell) as [number, string];
      batch.push({ key, value: deserialize<T>(text), seq });
    });
    if (batch.length > 0) {
      // A slow store must not look like a dead consumer: keep the batch's claim fresh while it persists,
      // so no other instance takes it over and writes an older value after a newer one.
      const ids = entries.map(([id]) => id);
      const keepAlive = setInterval(
        () =>
          void writer
            .call('XCLAIM', this.stream, this.group, this.o.instanceId, '0', ...ids, 'JUSTID')
            .catch(() => undefined),
        Math.max(50, Math.floor(this.o.claimIdleMs / 3)),
      );
      try {
        await this.o.persist(batch.map(({ key, value }) => ({ key, value })));
      } finally {
        clearInterval(keepAlive);
      }
    }
    await SETTLE.run(
      writer,
      [this.stream, this.latest],
      [
        this.group,
        entries.length,
        ...entries.flatMap(([id, f]) => [id, keyOf(f)]),
        ...batch.flatMap((b) => [b.key, b.seq]),
      ],
    );
  }
}
