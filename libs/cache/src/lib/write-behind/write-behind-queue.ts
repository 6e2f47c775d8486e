import { Logger } from '@nestjs/common';
import { StreamGroupReader, type RedisClient, type StreamEntry } from '@shop/redis';
import { register as globalRegistry, type Counter, type Gauge } from 'prom-client';
import { serialize } from '../serializer/serializer';
import { BatchFlusher } from './flush-batch';
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
  private groupReader?: StreamGroupReader;
  private refreshing?: Promise<void>;
  private readonly conditional: ConditionalWrites<T>;

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
    const writer = this.o.connections.shared('data', 'background');
    const reader = this.o.connections.dedicated('data', 'background', `write-behind-${this.o.name}`);
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
    // The reading - own pending entries first, takeover of idle consumers' entries, claim keep-alive
    // while a batch persists, backoff, lost-group recovery, a bounded stop - is the stream reader's, the
    // same one the messaging transport consumes with. Batches are handled one at a time, so a key is
    // never persisted by two batches of one consumer at once.
    const groupReader = new StreamGroupReader({
      reader,
      writer,
      stream: this.stream,
      group: this.group,
      consumer: this.o.instanceId,
      slots: this.o.batchSize,
      blockMs: this.o.blockMs,
      claimIdleMs: this.o.claimIdleMs,
      // Own failed keys are retried after claimIdleMs, like a dead consumer's: a failure here is the
      // store's, and the split per key (persistIsolated) already retried it within the batch.
      retryDelayMs: this.o.claimIdleMs,
      reclaimIntervalMs: Math.max(1, Math.floor(this.o.claimIdleMs / 2)),
      coalesceMs: this.o.flushIntervalMs,
      handle: (entries) => this.flush(flusher, entries),
      logger: this.log,
      logContext: { queue: this.o.name },
    });
    try {
      await groupReader.start();
    } catch (err) {
      await this.o.connections.release(reader);
      throw err;
    }
    this.reader = reader;
    this.groupReader = groupReader;
  }

  /**
   * Stops reading and waits for the batch in progress (persisted and acked), at most `drainTimeoutMs`,
   * also with Redis down or `persist` stuck. A batch not settled by then stays pending: another consumer
   * (or this one after a restart) takes it over, and the fencing sequence makes a late write harmless.
   */
  async stop(): Promise<void> {
    const deadline = Date.now() + this.o.drainTimeoutMs;
    const groupReader = this.groupReader;
    this.groupReader = undefined;
    if (groupReader && !(await groupReader.stop(this.o.drainTimeoutMs)).drained)
      this.log.warn({
        msg: 'write-behind stop: drain deadline passed; the batch in progress stays pending for reclaim',
        queue: this.o.name,
        drainTimeoutMs: this.o.drainTimeoutMs,
      });
    const reader = this.reader;
    this.reader = undefined;
    // Closing the reader also ends an XREADGROUP queued while Redis is down. Bounded by what is left of
    // the deadline: a client that is reconnecting emits no 'end', and release() would wait its full
    // shutdown timeout for one (the socket is dropped at once either way).
    if (reader) await withinMs(this.o.connections.release(reader), Math.max(50, deadline - Date.now()));
  }

  /** One batch; a rejection (nothing went through: the store is down, most likely) backs the reader off. */
  private async flush(flusher: BatchFlusher<T>, entries: StreamEntry[]): Promise<void> {
    try {
      // No stats call per batch: the gauges measure in Redis when they are scraped.
      await flusher.flush(entries);
    } catch (err) {
      this.log.warn({
        msg: 'write-behind batch failed; it stays pending and is retried',
        queue: this.o.name,
        error: (err as Error).message,
      });
      throw err;
    }
  }
}
