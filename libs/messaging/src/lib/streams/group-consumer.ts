import type { LoggerService } from '@nestjs/common';
import { coalesceWrites, ensureGroup, reconnectDelay, type RedisClient } from '@shop/redis';
import { decodeEnvelope, UndecodableMessageError, type Envelope } from '../envelope';
import type { MessagingMetrics } from '../messaging-metrics';
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
 * - connection errors (and a lost group after a Redis restart) are retried; reading resumes by itself.
 */
export class GroupConsumer {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lastErrors = new Map<string, string>();
  private running = false;
  private loop?: Promise<void>;
  private reclaimTimer?: NodeJS.Timeout;
  private reclaiming = false;
  private ackBatch?: AckBatch;
  private keepAliveTimer?: NodeJS.Timeout;
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
    this.o.metrics.trackInFlight(this.o.stream, () => this.inFlight.size);
    this.running = true;
    this.loop = this.readLoop();
    this.reclaimTimer = setInterval(() => void this.reclaim(), this.o.reclaimIntervalMs);
    this.keepAliveTimer = setInterval(
      () => void this.keepClaims(),
      Math.max(100, Math.floor(this.o.claimIdleMs / 3)),
    );
  }

  /** Stops reading, waits up to `drainMs` for running handlers (their entries are acked), leaves the rest pending. */
  async stop(drainMs: number): Promise<{ finished: number; abandoned: number }> {
    this.running = false;
    clearInterval(this.reclaimTimer);
    await this.loop;
    const running = [...this.inFlight.values()];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled(running).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), drainMs))),
    ]);
    clearTimeout(timer);
    clearInterval(this.keepAliveTimer);
    this.o.metrics.trackInFlight(this.o.stream, undefined);
    const abandoned = timedOut ? this.inFlight.size : 0;
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
        await Promise.race(this.inFlight.values());
        continue;
      }
      try {
        const id = pendingCursor ?? '>';
        const args = pendingCursor ? ['COUNT', free] : ['COUNT', free, 'BLOCK', this.o.blockMs];
        const reply = await this.o.reader.xreadgroup(
          'GROUP',
          this.o.group,
          this.o.consumer,
          ...(args as ['COUNT', number]),
          'STREAMS',
          this.o.stream,
          id,
        );
        failures = 0;
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
        // The same capped, jittered backoff the Redis connections use.
        await new Promise((r) => setTimeout(r, reconnectDelay(failures, 2000)));
      }
    }
  }

  private dispatch([entryId, fields]: StreamEntry, deliveries: number): void {
    if (this.inFlight.has(entryId)) return;
    const run = this.process(entryId, fields, deliveries).finally(() => this.inFlight.delete(entryId));
    this.inFlight.set(entryId, run);
  }

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
    try {
      await this.o.handle({ stream: this.o.stream, entryId, envelope, deliveries });
      this.lastErrors.delete(entryId);
      await this.ack(entryId, 'ack');
    } catch (err) {
      this.lastErrors.set(entryId, err instanceof Error ? err.message : String(err));
      this.o.metrics.handled.inc({ stream: this.o.stream, outcome: 'retry' });
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

  /** Acks are batched per event-loop turn: one `XACK` with many ids instead of one round trip each. */
  private async ack(entryId: string, outcome: string): Promise<void> {
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
    await batch.done;
    this.handledChild(outcome).inc();
  }

  private async deadLetter(
    entryId: string,
    fields: string[] | null,
    reason: string,
    deliveries: number,
  ): Promise<void> {
    const original = fields ? JSON.stringify(fields) : 'null';
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
    this.lastErrors.delete(entryId);
    await this.ack(entryId, 'dead_letter');
    this.o.logger.error?.({
      msg: 'entry moved to the dead-letter stream',
      stream: this.o.stream,
      entryId,
      reason,
      deliveries,
    });
  }

  /** Retry own failures after a backoff, take over dead consumers' entries, dead-letter the hopeless. */
  private async reclaim(): Promise<void> {
    if (this.reclaiming || !this.running) return;
    this.reclaiming = true;
    try {
      const minIdle = Math.min(this.o.retryDelayMs, this.o.claimIdleMs);
      const pending = (await this.o.writer.xpending(
        this.o.stream,
        this.o.group,
        'IDLE',
        minIdle,
        '-',
        '+',
        100,
      )) as Array<[string, string, number, number]>;
      for (const [entryId, owner, idleMs, deliveries] of pending) {
        if (!this.running || this.inFlight.has(entryId) || this.inFlight.size >= this.o.concurrency) continue;
        const own = owner === this.o.consumer;
        const backoff = Math.min(this.o.claimIdleMs, this.o.retryDelayMs * 2 ** Math.max(0, deliveries - 1));
        const requiredIdle = own ? backoff : Math.max(backoff, this.o.claimIdleMs);
        if (idleMs < requiredIdle) continue;
        // XCLAIM with the same min-idle is atomic: of several instances only one gets the entry.
        const claimed = await xclaim(
          this.o.writer,
          this.o.stream,
          this.o.group,
          this.o.consumer,
          requiredIdle,
          entryId,
        );
        if (claimed.length === 0) continue;
        const [[, fields]] = claimed;
        this.o.metrics.reclaimed.inc({ stream: this.o.stream });
        if (deliveries >= this.o.maxDeliveries) {
          const reason =
            this.lastErrors.get(entryId) ??
            `delivered ${deliveries} times without an ack (consumer ${owner})`;
          await this.deadLetter(entryId, fields, reason, deliveries);
          continue;
        }
        this.dispatch([entryId, fields], deliveries + 1);
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
}

interface AckBatch {
  ids: string[];
  done: Promise<void>;
}
