import type { LoggerService } from '@nestjs/common';
import {
  coalesceWrites,
  StreamGroupReader,
  type EntryOrigin,
  type RedisClient,
  type StreamEntry,
} from '@shop/redis';
import { CounterBuffer } from '@shop/util';
import { decodeEnvelope, UndecodableMessageError, type Envelope } from '../envelope';
import type { MessagingMetrics } from '../messaging-metrics';
import { maintainGroup } from './group-maintenance';
import { xaddCapped, type StreamRetention } from './stream-entries';

/** What a handler gets for one entry. Throwing leaves the entry pending for a retry. */
export interface DeliveredMessage {
  stream: string;
  entryId: string;
  envelope: Envelope;
  /** 1 on the first delivery. */
  deliveries: number;
}

export interface GroupConsumerOptions {
  /** A dedicated connection for the blocking reads. */
  reader: RedisClient;
  /** A connection for acks, claims and dead letters (not blocked by reads). */
  writer: RedisClient;
  stream: string;
  group: string;
  consumer: string;
  deadLetterStream: string;
  concurrency: number;
  blockMs: number;
  claimIdleMs: number;
  reclaimIntervalMs: number;
  maxDeliveries: number;
  retryDelayMs: number;
  deadLetterRetention: StreamRetention;
  /** Retention of the consumed stream, applied by the groups' positions every `trimIntervalMs`. */
  retention: StreamRetention;
  trimIntervalMs: number;
  /** Other consumers of the group idle this long with nothing pending are removed. */
  idleConsumerMs: number;
  handle: (message: DeliveredMessage) => Promise<void>;
  /**
   * Clients whose writes are coalesced while a read batch is dispatched, so the commands the batch's
   * handlers issue synchronously leave in one socket write. @default [writer]
   */
  coalesce?: RedisClient[];
  logger: LoggerService;
  metrics: MessagingMetrics;
}

/**
 * One consumer of one stream in one group, the reliable part of the transport. The reading itself - own
 * pending entries first, `COUNT` = free concurrency slots, the periodic `XPENDING` pass that retries own
 * failed entries with exponential backoff and takes over entries of consumers idle longer than
 * `claimIdleMs`, the claim keep-alive of running handlers, reconnect and lost-group recovery, a `stop()`
 * bounded by its deadline - is `StreamGroupReader`'s (`@shop/redis`, shared with the write-behind queue).
 * What this adds is what an entry means to the transport:
 * - an entry is acked only after its handler resolved (acks batched per event-loop turn); a throw leaves
 *   it pending for the reader's retry;
 * - an entry delivered `maxDeliveries` times is moved to the dead-letter stream with the last error, as
 *   is one that does not decode;
 * - no error of a handler, an ack or a dead letter escapes: a failed ack or dead letter leaves the entry
 *   pending for the next reclaim pass, and is logged;
 * - periodically it trims the stream by the groups' positions and removes consumers long gone.
 */
export class GroupConsumer {
  private readonly reader: StreamGroupReader;
  /** Last handler error per pending entry, for the dead letter; bounded (oldest dropped first). */
  private readonly lastErrors = new Map<string, string>();
  private maintenanceTimer?: NodeJS.Timeout;
  private maintaining = false;
  private running = false;
  private ackBatch?: AckBatch;
  private untrackInFlight?: () => void;
  private readonly coalesce: RedisClient[];

  // Labelled children are looked up once, not hashed again for every message.
  private readonly durationChild: { startTimer(): () => void };
  private readonly handledChildren = new Map<string, { inc(): void }>();
  /** Handled counts in plain numbers, handed to the counter at each scrape. */
  private readonly handledCounts: CounterBuffer<'stream' | 'outcome'>;

  constructor(private readonly o: GroupConsumerOptions) {
    this.durationChild = o.metrics.duration.labels({ stream: o.stream });
    this.handledCounts = new CounterBuffer(o.metrics.handled);
    this.coalesce = o.coalesce ?? [o.writer];
    this.reader = new StreamGroupReader({
      reader: o.reader,
      writer: o.writer,
      stream: o.stream,
      group: o.group,
      consumer: o.consumer,
      slots: o.concurrency,
      blockMs: o.blockMs,
      claimIdleMs: o.claimIdleMs,
      reclaimIntervalMs: o.reclaimIntervalMs,
      retryDelayMs: o.retryDelayMs,
      handle: (entries, deliveries, origin, owners) => this.handleBatch(entries, deliveries, origin, owners),
      logger: o.logger,
      logContext: { stream: o.stream },
    });
  }

  private handledChild(outcome: string): { inc(): void } {
    let child = this.handledChildren.get(outcome);
    if (!child) {
      child = this.handledCounts.child({ stream: this.o.stream, outcome });
      this.handledChildren.set(outcome, child);
    }
    return child;
  }

  get stream(): string {
    return this.o.stream;
  }

  get group(): string {
    return this.o.group;
  }

  get deadLetterStream(): string {
    return this.o.deadLetterStream;
  }

  async start(): Promise<void> {
    await this.reader.start();
    // The in-flight gauge is read at scrape time, not updated per message.
    this.untrackInFlight = this.o.metrics.trackInFlight(this.o.stream, () => this.reader.inFlightCount);
    this.running = true;
    this.maintenanceTimer = setInterval(() => void this.maintain(), this.o.trimIntervalMs);
  }

  /**
   * Stops reading and waits up to `drainMs` in all for running handlers (their entries are acked); the
   * rest stay pending for other instances. The deadline holds whatever Redis does (see the reader).
   */
  async stop(drainMs: number): Promise<{ finished: number; abandoned: number }> {
    this.running = false;
    clearInterval(this.maintenanceTimer);
    const { finished, abandoned } = await this.reader.stop(drainMs);
    this.untrackInFlight?.();
    return { finished, abandoned };
  }

  get inFlightCount(): number {
    return this.reader.inFlightCount;
  }

  /** One batch of the reader: each entry runs on its own (a slow one holds only its slot). */
  private handleBatch(
    entries: StreamEntry[],
    deliveries: number | readonly number[],
    origin: EntryOrigin,
    owners: readonly string[] | undefined,
  ): void {
    // The commands the batch's handlers issue synchronously leave in one socket write.
    if (entries.length > 1) for (const client of this.coalesce) coalesceWrites(client);
    if (typeof deliveries === 'number') {
      for (const entry of entries) this.dispatch(entry, deliveries);
      return;
    }
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as StreamEntry;
      const delivery = deliveries[i] ?? 1;
      if (origin === 'claimed') this.o.metrics.reclaimed.inc({ stream: this.o.stream });
      if (delivery > this.o.maxDeliveries) this.exhausted(entry, delivery - 1, owners?.[i] ?? 'unknown');
      else this.dispatch(entry, delivery);
    }
  }

  /** An entry delivered `maxDeliveries` times without an ack: to the dead-letter stream. */
  private exhausted([entryId, fields]: StreamEntry, deliveries: number, owner: string): void {
    if (this.reader.isHandling(entryId)) return;
    const reason =
      this.lastErrors.get(entryId) ?? `delivered ${deliveries} times without an ack (consumer ${owner})`;
    // Tracked as in flight, so a slow dead letter is not started twice and stop() sees it.
    this.reader.track(entryId, this.deadLetter(entryId, fields, reason, deliveries));
  }

  private dispatch([entryId, fields]: StreamEntry, deliveries: number): void {
    if (this.reader.isHandling(entryId)) return;
    this.reader.track(
      entryId,
      this.process(entryId, fields, deliveries).catch((err: unknown) =>
        // process() handles its own errors; this is the last net so nothing is ever unhandled.
        this.o.logger.error?.({
          msg: 'entry processing failed',
          stream: this.o.stream,
          entryId,
          error: String(err),
        }),
      ),
    );
  }

  /** Runs one entry; never rejects (every failure leaves the entry pending and is logged). */
  private async process(entryId: string, fields: string[] | null, deliveries: number): Promise<void> {
    if (fields === null) {
      // Trimmed away while pending: nothing left to run.
      await this.ack(entryId, 'trimmed');
      return;
    }
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(fields);
    } catch (err) {
      await this.deadLetter(entryId, fields, (err as UndecodableMessageError).message, deliveries);
      return;
    }
    const stopTimer = this.durationChild.startTimer();
    let handled = false;
    try {
      await this.o.handle({ stream: this.o.stream, entryId, envelope, deliveries });
      handled = true;
    } catch (err) {
      this.rememberError(entryId, err instanceof Error ? err.message : String(err));
      this.handledChild('retry').inc();
      this.o.logger.warn?.({
        msg: 'handler failed; entry stays pending for retry',
        stream: this.o.stream,
        entryId,
        pattern: envelope.pattern,
        deliveries,
        error: this.lastErrors.get(entryId),
      });
    } finally {
      stopTimer();
    }
    if (handled) {
      this.lastErrors.delete(entryId);
      await this.ack(entryId, 'ack');
    }
  }

  private rememberError(entryId: string, message: string): void {
    this.lastErrors.delete(entryId);
    this.lastErrors.set(entryId, message);
    // Entries taken over by others or trimmed never come back here: keep the newest few thousand.
    if (this.lastErrors.size > MAX_REMEMBERED_ERRORS) {
      const oldest = this.lastErrors.keys().next().value;
      if (oldest !== undefined) this.lastErrors.delete(oldest);
    }
  }

  /**
   * Acks are batched per event-loop turn: one `XACK` with many ids instead of one round trip each.
   * Returns false (logged) when the ack failed: the entry stays pending and is retried by reclaim.
   */
  private async ack(entryId: string, outcome: string): Promise<boolean> {
    if (!this.ackBatch) {
      const batch: AckBatch = { ids: [], done: undefined as unknown as Promise<void> };
      batch.done = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          this.ackBatch = undefined;
          this.o.writer.xack(this.o.stream, this.o.group, ...batch.ids).then(() => resolve(), reject);
        }),
      );
      this.ackBatch = batch;
    }
    const batch = this.ackBatch;
    batch.ids.push(entryId);
    try {
      await batch.done;
    } catch (err) {
      this.o.logger.error?.({
        msg: 'ack failed; entry stays pending for reclaim',
        stream: this.o.stream,
        entryId,
        error: (err as Error).message,
      });
      return false;
    }
    this.handledChild(outcome).inc();
    return true;
  }

  /** Moves an entry to the dead-letter stream and acks it; on failure it stays pending (logged). */
  private async deadLetter(
    entryId: string,
    fields: string[] | null,
    reason: string,
    deliveries: number,
  ): Promise<void> {
    const original = fields ? JSON.stringify(fields) : 'null';
    try {
      await xaddCapped(this.o.writer, this.o.deadLetterStream, this.o.deadLetterRetention, [
        'stream',
        this.o.stream,
        'group',
        this.o.group,
        'entry',
        entryId,
        'deliveries',
        String(deliveries),
        'error',
        reason,
        'original',
        original,
      ]);
    } catch (err) {
      // OOM, WRONGTYPE, READONLY after a failover: the entry stays pending; the next pass tries again.
      this.o.logger.error?.({
        msg: 'dead letter failed; entry stays pending for reclaim',
        stream: this.o.stream,
        entryId,
        deadLetterStream: this.o.deadLetterStream,
        reason,
        error: (err as Error).message,
      });
      return;
    }
    this.lastErrors.delete(entryId);
    if (!(await this.ack(entryId, 'dead_letter'))) return;
    this.o.logger.error?.({
      msg: 'entry moved to the dead-letter stream',
      stream: this.o.stream,
      entryId,
      reason,
      deliveries,
    });
  }

  /** Trims the stream by the groups' positions and removes consumers long gone; failures are logged. */
  private async maintain(): Promise<void> {
    if (this.maintaining || !this.running) return;
    this.maintaining = true;
    try {
      await maintainGroup({
        client: this.o.writer,
        stream: this.o.stream,
        group: this.o.group,
        consumer: this.o.consumer,
        retention: this.o.retention,
        idleConsumerMs: this.o.idleConsumerMs,
        logger: this.o.logger,
      });
    } catch (err) {
      this.o.logger.warn?.({
        msg: 'stream maintenance failed',
        stream: this.o.stream,
        error: (err as Error).message,
      });
    } finally {
      this.maintaining = false;
    }
  }
}

const MAX_REMEMBERED_ERRORS = 10_000;

interface AckBatch {
  ids: string[];
  done: Promise<void>;
}
