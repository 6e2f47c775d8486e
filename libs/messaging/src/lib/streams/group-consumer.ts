import type { LoggerService } from '@nestjs/common';
import { coalesceWrites, ensureGroup, reconnectDelay, type RedisClient } from '@shop/redis';
import { backoffMs } from '@shop/util';
import { decodeEnvelope, UndecodableMessageError, type Envelope } from '../envelope';
import type { MessagingMetrics } from '../messaging-metrics';
import { maintainGroup } from './group-maintenance';
import { entriesOf, xaddCapped, xclaim, type StreamEntry, type StreamRetention } from './stream-entries';

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
 * One consumer of one stream in one group, the reliable part of the transport:
 * - at start it reads its own pending entries (left by a crash of this same consumer name) first;
 * - it reads `COUNT` = free concurrency slots, so a slow handler is never flooded;
 * - an entry is acked only after its handler resolved; a throw leaves it pending;
 * - a periodic pass over `XPENDING` retries own failed entries with exponential backoff, takes over
 *   entries of consumers idle longer than `claimIdleMs` (dead instances), and moves an entry that has
 *   been delivered `maxDeliveries` times to the dead-letter stream with the last error;
 * - a running handler keeps its claim fresh, so a slow handler is not taken over and run twice;
 * - connection errors (and a lost group after a Redis restart) are retried; reading resumes by itself;
 * - no error of a handler, an ack or a dead letter escapes: a failed ack or dead letter leaves the entry
 *   pending for the next reclaim pass, and is logged;
 * - `stop()` returns by its deadline even while Redis hangs or every slot is busy;
 * - periodically it trims the stream by the groups' positions and removes consumers long gone.
 */
export class GroupConsumer {
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Last handler error per pending entry, for the dead letter; bounded (oldest dropped first). */
  private readonly lastErrors = new Map<string, string>();
  private running = false;
  private loop?: Promise<void>;
  private reclaimTimer?: NodeJS.Timeout;
  private maintenanceTimer?: NodeJS.Timeout;
  private reclaiming = false;
  private maintaining = false;
  /** Where the next reclaim pass continues in `XPENDING` (pages of 100 from the oldest). */
  private reclaimCursor = '-';
  /** Resolves when `stop()` is called: wakes the loop out of a backoff or a wait for a free slot. */
  private stopped: Promise<void> = Promise.resolve();
  private signalStop: () => void = () => undefined; // stop() before start(): nothing to wake
  private ackBatch?: AckBatch;
  private keepAliveTimer?: NodeJS.Timeout;
  private untrackInFlight?: () => void;
  /** Start time of each running handler, for claim keep-alive. */
  private readonly startedAt = new Map<string, number>();

  // Labelled children are looked up once, not hashed again for every message.
  private readonly durationChild: { startTimer(): () => void };
  private readonly handledChildren = new Map<string, { inc(): void }>();

  constructor(private readonly o: GroupConsumerOptions) {
    this.durationChild = o.metrics.duration.labels({ stream: o.stream });
  }

  private handledChild(outcome: string): { inc(): void } {
    let child = this.handledChildren.get(outcome);
    if (!child) {
      child = this.o.metrics.handled.labels({ stream: this.o.stream, outcome });
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
    await ensureGroup(this.o.writer, this.o.stream, this.o.group);
    // The in-flight gauge is read at scrape time, not updated per message.
    this.untrackInFlight = this.o.metrics.trackInFlight(this.o.stream, () => this.inFlight.size);
    this.running = true;
    this.stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
    this.loop = this.readLoop();
    this.reclaimTimer = setInterval(() => void this.reclaim(), this.o.reclaimIntervalMs);
    this.maintenanceTimer = setInterval(() => void this.maintain(), this.o.trimIntervalMs);
    this.keepAliveTimer = setInterval(
      () => void this.keepClaims(),
      Math.max(100, Math.floor(this.o.claimIdleMs / 3)),
    );
  }

  /** True while the loop awaits XREADGROUP (see `stop`). */
  private parkedOnRead = false;

  /**
   * Stops reading and waits up to `drainMs` in all for running handlers (their entries are acked); the
   * rest stay pending for other instances. The deadline holds whatever Redis does: a read parked in
   * `XREADGROUP` on a hung or lost connection is not awaited past it (its owner closes the connection).
   */
  async stop(drainMs: number): Promise<{ finished: number; abandoned: number }> {
    const deadline = Date.now() + drainMs;
    this.running = false;
    this.signalStop();
    clearInterval(this.reclaimTimer);
    clearInterval(this.maintenanceTimer);
    // A read queued on a connection that is down resolves only after a reconnect: nothing to wait for
    // (its entries stay pending); waiting would spend the whole deadline with Redis gone.
    if (!(this.parkedOnRead && this.o.reader.status !== 'ready'))
      await untilDeadline(this.loop ?? Promise.resolve(), deadline);
    const running = [...this.inFlight.values()];
    const drained = await untilDeadline(
      Promise.allSettled(running).then(() => true),
      deadline,
    );
    clearInterval(this.keepAliveTimer);
    this.untrackInFlight?.();
    const abandoned = drained ? 0 : this.inFlight.size;
    return { finished: running.length - abandoned, abandoned };
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private async readLoop(): Promise<void> {
    let pendingCursor: string | null = '0'; // own pending entries first, then new ones ('>')
    let failures = 0;
    while (this.running) {
      const free = this.o.concurrency - this.inFlight.size;
      if (free <= 0) {
        // process() never rejects, so this waits for a free slot or for stop().
        await Promise.race([...this.inFlight.values(), this.stopped]);
        continue;
      }
      try {
        const id = pendingCursor ?? '>';
        const args = pendingCursor ? ['COUNT', free] : ['COUNT', free, 'BLOCK', this.o.blockMs];
        this.parkedOnRead = true;
        const reply = await this.o.reader
          .xreadgroup(
            'GROUP',
            this.o.group,
            this.o.consumer,
            ...(args as ['COUNT', number]),
            'STREAMS',
            this.o.stream,
            id,
          )
          .finally(() => (this.parkedOnRead = false));
        failures = 0;
        // Read after stop() was called: leave them pending (delivered to us, reclaimed by others).
        if (!this.running) break;
        const entries = entriesOf(reply);
        if (pendingCursor) pendingCursor = entries.length > 0 ? entries[entries.length - 1][0] : null;
        if (entries.length > 1)
          for (const client of this.o.coalesce ?? [this.o.writer]) coalesceWrites(client);
        for (const entry of entries) this.dispatch(entry, pendingCursor ? 2 : 1);
      } catch (err) {
        if (!this.running) break;
        failures++;
        const message = (err as Error).message;
        if (message.includes('NOGROUP')) {
          // Redis lost the group (restart without persistence): recreate it and read own pending again.
          await ensureGroup(this.o.writer, this.o.stream, this.o.group).catch(() => undefined);
          pendingCursor = '0';
        }
        this.o.logger.warn?.({ msg: 'stream read failed, retrying', stream: this.o.stream, error: message });
        // The same capped, jittered backoff the Redis connections use; stop() cuts it short.
        await untilDeadline(this.stopped, Date.now() + reconnectDelay(failures, 2000));
      }
    }
  }

  private dispatch([entryId, fields]: StreamEntry, deliveries: number): void {
    if (this.inFlight.has(entryId)) return;
    const run = this.process(entryId, fields, deliveries)
      .catch((err: unknown) =>
        // process() handles its own errors; this is the last net so nothing is ever unhandled.
        this.o.logger.error?.({
          msg: 'entry processing failed',
          stream: this.o.stream,
          entryId,
          error: String(err),
        }),
      )
      .finally(() => this.inFlight.delete(entryId));
    this.inFlight.set(entryId, run);
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
    this.startedAt.set(entryId, Date.now());
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
      this.startedAt.delete(entryId);
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
   * Keeps the claims of long-running handlers fresh (one `XCLAIM ... JUSTID` for all of them), so their
   * entries never look idle to the reclaim pass of another instance and are not run twice.
   */
  private async keepClaims(): Promise<void> {
    const threshold = Date.now() - Math.floor(this.o.claimIdleMs / 3);
    const ids = [...this.startedAt].filter(([, t]) => t <= threshold).map(([id]) => id);
    if (ids.length === 0) return;
    await this.o.writer
      .call('XCLAIM', this.o.stream, this.o.group, this.o.consumer, '0', ...ids, 'JUSTID')
      .catch(() => undefined);
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

  /**
   * Retry own failures after a backoff, take over dead consumers' entries, dead-letter the hopeless.
   * Each pass reads `XPENDING` in pages of 100 from where the last pass stopped, so entries beyond the
   * first 100 get their turn too; it stops when the slots are full.
   */
  private async reclaim(): Promise<void> {
    if (this.reclaiming || !this.running) return;
    this.reclaiming = true;
    try {
      const minIdle = Math.min(this.o.retryDelayMs, this.o.claimIdleMs);
      for (let page = 0; page < MAX_RECLAIM_PAGES && this.running; page++) {
        if (this.inFlight.size >= this.o.concurrency) return;
        const pending = (await this.o.writer.xpending(
          this.o.stream,
          this.o.group,
          'IDLE',
          minIdle,
          this.reclaimCursor,
          '+',
          RECLAIM_PAGE,
        )) as Array<[string, string, number, number]>;
        // The next page starts after the last row; a short page means the end: start over next time.
        this.reclaimCursor = pending.length < RECLAIM_PAGE ? '-' : `(${pending[pending.length - 1][0]}`;
        for (const row of pending) await this.reclaimOne(row);
        if (this.reclaimCursor === '-') return;
      }
    } catch (err) {
      this.o.logger.warn?.({
        msg: 'reclaim pass failed',
        stream: this.o.stream,
        error: (err as Error).message,
      });
    } finally {
      this.reclaiming = false;
    }
  }

  private async reclaimOne([entryId, owner, idleMs, deliveries]: [
    string,
    string,
    number,
    number,
  ]): Promise<void> {
    if (!this.running || this.inFlight.has(entryId) || this.inFlight.size >= this.o.concurrency) return;
    const own = owner === this.o.consumer;
    const backoff = backoffMs(deliveries, this.o.retryDelayMs, this.o.claimIdleMs);
    const requiredIdle = own ? backoff : Math.max(backoff, this.o.claimIdleMs);
    if (idleMs < requiredIdle) return;
    // XCLAIM with the same min-idle is atomic: of several instances only one gets the entry.
    const claimed = await xclaim(
      this.o.writer,
      this.o.stream,
      this.o.group,
      this.o.consumer,
      requiredIdle,
      entryId,
    );
    if (claimed.length === 0) return;
    const [[, fields]] = claimed;
    this.o.metrics.reclaimed.inc({ stream: this.o.stream });
    if (deliveries >= this.o.maxDeliveries) {
      const reason =
        this.lastErrors.get(entryId) ?? `delivered ${deliveries} times without an ack (consumer ${owner})`;
      // Tracked as in flight, so a slow dead letter is not started twice and stop() sees it.
      const run = this.deadLetter(entryId, fields, reason, deliveries).finally(() =>
        this.inFlight.delete(entryId),
      );
      this.inFlight.set(entryId, run);
      await run;
      return;
    }
    this.dispatch([entryId, fields], deliveries + 1);
  }
}

/** Resolves true when `promise` settles before `deadline` (epoch ms), false at the deadline. Never rejects. */
function untilDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))),
    ),
  ]).finally(() => clearTimeout(timer));
}

const RECLAIM_PAGE = 100;
/** Pages one reclaim pass reads at most (bounds a pass over a huge pending list). */
const MAX_RECLAIM_PAGES = 10;
const MAX_REMEMBERED_ERRORS = 10_000;

interface AckBatch {
  ids: string[];
  done: Promise<void>;
}
