import { Logger } from '@nestjs/common';
import { ensureGroup, reconnectDelay, type RedisClient } from '@shop/redis';
import { register as globalRegistry, type Counter, type Gauge } from 'prom-client';
import { serialize } from '../serializer/serializer';
import { BatchFlusher, type StreamEntry } from './flush-batch';
import { deadLetterCounter, queueGauge, SCRAPE_TIMEOUT_MS } from './write-behind-metrics';
import {
  resolveWriteBehindOptions,
  WriteBehindFullError,
  type ResolvedWriteBehindOptions,
  type WriteBehindOptions,
  type WriteBehindStats,
} from './write-behind-options';
import { ACCEPT, FULL, STATS } from './write-behind-scripts';
import { ConditionalWrites, readModifyWrite, type WriteBehindCurrent } from './conditional-writes';
import { withinMs } from './within-ms';

export type { WriteBehindCurrent } from './conditional-writes';
export {
  WriteBehindConflictError,
  WriteBehindFullError,
  type WriteBehindItem,
  type WriteBehindOptions,
  type WriteBehindStats,
} from './write-behind-options';

/**
 * Write-behind: `write()` returns as soon as Redis holds the value (durable with AOF); a consumer group
 * persists asynchronously, in batches, coalescing all writes of one key into one store write of its
 * latest value, handed to `persist` with the key's fencing sequence. The stream holds one entry per key
 * waiting to be persisted (processed entries are acked and deleted), bounded by `maxPendingKeys`; beyond
 * that new keys are refused, never dropped. A consumer that dies or stalls mid-batch leaves its entries
 * pending; another instance (or itself after a restart) takes them over, so nothing acknowledged by
 * `write()` is lost - and the fencing sequence keeps the stalled one's late write from winning.
 * A batch that fails is retried key by key; a key that keeps failing alone goes to a dead-letter stream
 * after `maxDeliveries`.
 * Exported: `cache_write_behind_lag_seconds` (age of the oldest unpersisted write) and
 * `cache_write_behind_pending_keys`, both measured in Redis (`stats()`) within 250 ms per scrape, and
 * `cache_write_behind_dead_letters_total`.
 *
 * @example
 * const queue = new WriteBehindQueue<Tracking>({ connections, name: 'tracking', instanceId,
 *   persist: (batch) => repo.saveIfNewer(batch) }); // UPDATE ... WHERE seq < $seq, per item
 * await queue.start();
 * await queue.write(`order-${id}`, tracking);
 */
export class WriteBehindQueue<T> {
  private readonly o: ResolvedWriteBehindOptions<T>;
  private readonly stream: string;
  private readonly latest: string;
  private readonly dead: string;
  private readonly group = 'writers';
  private readonly log = new Logger('WriteBehind');
  private readonly lag: Gauge;
  private readonly pending: Gauge;
  private readonly deadLetters: Counter;
  private reader?: RedisClient;
  private running = false;
  private loop?: Promise<void>;
  private refreshing?: Promise<void>;
  private wake?: () => void;
  private readonly conditional: ConditionalWrites<T>;
  /** The client the loop awaits a read or claim on, if it does (see `stop`). */
  private parkedOn?: RedisClient;

  constructor(options: WriteBehindOptions<T>) {
    this.o = resolveWriteBehindOptions(options);
    this.stream = options.connections.keys.tagged('wb', options.name, 'queue');
    this.latest = options.connections.keys.tagged('wb', options.name, 'latest');
    this.dead = options.connections.keys.tagged('wb', options.name, 'dead');
    this.conditional = new ConditionalWrites<T>(
      options.connections,
      this.stream,
      this.latest,
      options.connections.keys.tagged('wb', options.name, 'r'),
      options.name,
      this.o.maxPendingKeys,
      this.o.retainMs,
    );
    const registry = options.registry ?? globalRegistry;
    this.lag = queueGauge(
      registry,
      'cache_write_behind_lag_seconds',
      'Age of the oldest write not yet persisted',
      this,
    );
    this.pending = queueGauge(
      registry,
      'cache_write_behind_pending_keys',
      'Keys waiting to be persisted',
      this,
    );
    this.deadLetters = deadLetterCounter(registry);
    this.lag.set({ queue: options.name }, 0);
    this.pending.set({ queue: options.name }, 0);
    this.deadLetters.inc({ queue: options.name }, 0);
  }

  /**
   * Accepts a write into Redis; resolves with its sequence once Redis has it. Throws if Redis is
   * unavailable (after at most one command timeout), `WriteBehindFullError` if the key is new and
   * `maxPendingKeys` keys already wait (nothing is lost silently), and with `ifSeq`
   * `WriteBehindConflictError` unless the key's current sequence (`read()`; 0 for none) is `ifSeq`.
   */
  async write(key: string, value: T, options: { ifSeq?: number } = {}): Promise<number> {
    if (key === '__seq' || key.length === 0 || key.length > 512)
      throw new Error(`invalid write-behind key "${key.slice(0, 80)}"`);
    // With retention every write also refreshes the retained copy; a compare-and-set needs the script too.
    if (this.o.retainMs > 0 || options.ifSeq !== undefined)
      return this.conditional.accept(key, value, options.ifSeq);
    const seq = await ACCEPT.run(
      await this.conditional.client(),
      [this.stream, this.latest],
      [key, serialize(value), this.o.maxPendingKeys],
    );
    if (seq === FULL) throw new WriteBehindFullError(this.o.name, this.o.maxPendingKeys);
    return seq;
  }

  /** The key's current value: waiting to be persisted, else retained (`retainMs`), else undefined. */
  async read(key: string): Promise<WriteBehindCurrent<T> | undefined> {
    return (await this.conditional.read([key]))[0];
  }

  /** `read()` of several keys in one round trip, in order. */
  readMany(keys: string[]): Promise<Array<WriteBehindCurrent<T> | undefined>> {
    return this.conditional.read(keys);
  }

  /**
   * Atomic read-modify-write: `next` gets the current value (or undefined) and returns the new one, or
   * throws to refuse (nothing is written); applied only if the key did not change meanwhile, else `next`
   * runs again on the newer value, at most `attempts` times (then `WriteBehindConflictError`).
   */
  update(
    key: string,
    next: (current: WriteBehindCurrent<T> | undefined) => T | Promise<T>,
    attempts = 5,
  ): Promise<{ value: T; seq: number }> {
    return readModifyWrite(this.conditional, key, next, attempts);
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

  /**
   * Sets both gauges from `stats()`. Resolves within 250 ms whatever Redis does: a scrape must neither
   * fail nor hang on Redis; on a failure or a timeout the gauges keep their last known values.
   */
  async refreshMetrics(): Promise<void> {
    // Single flight: the two gauges' collects (and scrapes while Redis is down) share one measurement.
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
    await withinMs(this.refreshing, SCRAPE_TIMEOUT_MS);
  }

  async start(): Promise<void> {
    await ensureGroup(this.o.connections.shared('data', 'background'), this.stream, this.group);
    this.reader = this.o.connections.dedicated('data', 'background', `write-behind-${this.o.name}`);
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops reading and waits for the batch in progress (persisted and acked), at most `drainTimeoutMs`,
   * also with Redis down or `persist` stuck. A batch not settled by then stays pending: another consumer
   * (or this one after a restart) takes it over, and the fencing sequence makes a late write harmless.
   */
  async stop(): Promise<void> {
    const deadline = Date.now() + this.o.drainTimeoutMs;
    this.running = false;
    this.wake?.();
    // A read or claim queued on a connection that is down resolves only after a reconnect: nothing to
    // wait for (entries stay pending for the next consumer), and waiting would spend the whole deadline.
    if (this.loop && !(this.parkedOn && this.parkedOn.status !== 'ready')) {
      const drained = await withinMs(
        this.loop.then(() => true),
        this.o.drainTimeoutMs,
      );
      if (!drained)
        this.log.warn({
          msg: 'write-behind stop: drain deadline passed; the batch in progress stays pending for reclaim',
          queue: this.o.name,
          drainTimeoutMs: this.o.drainTimeoutMs,
        });
    }
    const reader = this.reader;
    this.reader = undefined;
    // Closing the reader also ends an XREADGROUP queued while Redis is down. Bounded by what is left of
    // the deadline: a client that is reconnecting emits no 'end', and release() would wait its full
    // shutdown timeout for one (the socket is dropped at once either way).
    if (reader) await withinMs(this.o.connections.release(reader), Math.max(50, deadline - Date.now()));
  }

  private async run(): Promise<void> {
    const writer = this.o.connections.shared('data', 'background');
    const flusher = new BatchFlusher<T>({
      ...this.o,
      writer,
      queue: this.o.name,
      stream: this.stream,
      latest: this.latest,
      dead: this.dead,
      group: this.group,
      deadLetters: this.deadLetters,
      log: this.log,
    });
    // First, what this consumer left unacked before a restart, read forward from `ownCursor` (from '0'
    // each time, a key that failed would be re-read at once instead of after `claimIdleMs`).
    let ownCursor: string | undefined = '0';
    let lastClaim = 0;
    // XAUTOCLAIM scans at most 10 x COUNT pending entries per call; a sweep goes on from the cursor it
    // returns until that is back at 0-0, so idle entries behind many fresh ones are reached too.
    let claimCursor = '0-0';
    let failures = 0;
    while (this.running) {
      try {
        let entries: StreamEntry[] = [];
        if (claimCursor !== '0-0' || Date.now() - lastClaim > this.o.claimIdleMs / 2) {
          if (claimCursor === '0-0') lastClaim = Date.now();
          // Redis >= 7 drops entries deleted meanwhile from the PEL itself; 6.2 returns them with null
          // fields, and those go to flush too so they get acked.
          this.parkedOn = writer;
          const [next, claimed] = (await writer
            .xautoclaim(
              this.stream,
              this.group,
              this.o.instanceId,
              this.o.claimIdleMs,
              claimCursor,
              'COUNT',
              this.o.batchSize,
            )
            .finally(() => (this.parkedOn = undefined))) as [string, StreamEntry[]];
          claimCursor = next;
          entries = claimed;
        }
        if (entries.length === 0) {
          const args = ['GROUP', this.group, this.o.instanceId, 'COUNT', String(this.o.batchSize)];
          if (ownCursor === undefined) args.push('BLOCK', String(this.o.blockMs));
          args.push('STREAMS', this.stream, ownCursor ?? '>');
          this.parkedOn = this.reader;
          const reply = (await (this.reader as RedisClient)
            .call('XREADGROUP', ...args)
            .finally(() => (this.parkedOn = undefined))) as Array<[string, StreamEntry[]]> | null;
          entries = reply?.[0]?.[1] ?? [];
          if (ownCursor !== undefined)
            ownCursor = entries.length > 0 ? entries[entries.length - 1]?.[0] : undefined;
        }
        const cutAt = Date.now(); // writes from here on belong to the next batch
        // No stats call per batch: the gauges measure in Redis when they are scraped.
        if (entries.length > 0) await flusher.flush(entries);
        failures = 0;
        // The coalescing window (see `flushIntervalMs`): an empty read already waited in BLOCK, and
        // after a full batch there is a backlog to catch up on.
        const partial = entries.length > 0 && entries.length < this.o.batchSize;
        if (partial && this.o.flushIntervalMs > 0 && this.running) {
          const rest = cutAt + this.o.flushIntervalMs - Date.now();
          if (rest > 0) await this.pause(rest);
        }
      } catch (err) {
        if (!this.running) break;
        // A data Redis restarted without its data (no AOF) has lost the group: recreate it, or no
        // consumer would ever read again while writes keep being accepted.
        if (String((err as Error).message).includes('NOGROUP'))
          await ensureGroup(writer, this.stream, this.group).catch(() => undefined);
        this.log.warn({
          msg: 'write-behind batch failed; it stays pending and is retried',
          queue: this.o.name,
          error: (err as Error).message,
        });
        await this.pause(reconnectDelay(++failures, 2000));
      }
    }
  }

  /** Sleeps `ms`, or less if `stop()` is called meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
