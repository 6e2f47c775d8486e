import { BackgroundLoop, untilDeadline, type LoopRun } from '@shop/util';
import { ensureGroup } from '../ensure-group';
import { reconnectDelay } from '../client-profiles';
import { planClaims, type ClaimPlan, type PendingRow } from './plan-claims';
import { entriesOf, type StreamEntry } from './stream-entry';
import type {
  EntryOrigin,
  StreamGroupReaderOptions,
  StreamGroupReaderStopped,
} from './stream-group-reader-options';

/**
 * The reliable reading of one stream by one consumer of one consumer group, shared by the messaging
 * transport's consumers and the write-behind queue (what each does with an entry stays theirs):
 * - at start it reads its own pending entries (left by a crash of this same consumer name) first;
 * - it reads `COUNT` = free slots, so a slow handler is never flooded;
 * - a periodic pass over `XPENDING` (pages from a cursor that resumes where the last pass stopped, never
 *   back at the beginning) claims own entries that were not acked once their backoff passed, and entries
 *   of consumers idle longer than `claimIdleMs` (dead instances); the handler learns each delivery count;
 * - entries being handled keep their claim fresh (one `XCLAIM ... JUSTID` for all of them), so a slow
 *   handler is not taken over and run twice;
 * - read errors back off (capped, jittered) and reading resumes by itself; a group lost with a Redis
 *   restart without persistence is recreated;
 * - `stop()` returns by its deadline even while Redis hangs or every slot is busy.
 *
 * @example
 * const reader = new StreamGroupReader({ reader: dedicated, writer: shared, stream, group, consumer,
 *   slots: 64, blockMs: 1000, claimIdleMs: 10_000, reclaimIntervalMs: 2000, retryDelayMs: 500,
 *   logger, logContext: { stream },
 *   handle: (entries) => { for (const [id, fields] of entries) reader.track(id, run(id, fields)); } });
 * await reader.start();
 * await reader.stop(5000);
 */
export class StreamGroupReader {
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Start time of each entry being handled, for the claim keep-alive. */
  private readonly startedAt = new Map<string, number>();
  /** The batch being handled, for handlers that return one promise per batch (batches never overlap). */
  private batchInProgress?: Promise<void>;
  /** The read loop's lifecycle: `running`, a wait that stop() cuts short, a stop bounded by its deadline. */
  private readonly loop = new BackgroundLoop((run) => this.readLoop(run));
  private reclaimTimer?: NodeJS.Timeout;
  private keepAliveTimer?: NodeJS.Timeout;
  private reclaiming = false;
  /** Where the next reclaim pass continues in `XPENDING`. */
  private reclaimCursor = '-';
  /** True while the loop awaits XREADGROUP (see `stop`). */
  private parkedOnRead = false;
  /** Wakes the loop while it waits for a free slot (called when a slot frees, and by `stop`). */
  private slotFreed?: () => void;
  private readonly reclaimPage: number;
  private readonly coalesceMs: number;
  /** How often the claim keep-alive runs. */
  private readonly keepAliveMs: number;
  /** Age from which a keep-alive run refreshes an entry's claim (see the constructor). */
  private readonly refreshAgeMs: number;

  constructor(private readonly o: StreamGroupReaderOptions) {
    // A page holds at least a full batch, so one claim can fill every slot.
    this.reclaimPage = Math.max(RECLAIM_PAGE, o.slots);
    this.coalesceMs = o.coalesceMs ?? 0;
    // The floor bounds the XCLAIM rate; with claimIdleMs at or below it a refresh can come too late.
    this.keepAliveMs = Math.max(KEEP_ALIVE_FLOOR_MS, Math.floor(o.claimIdleMs / 3));
    // An entry younger than this at one run is refreshed by the next at the latest, before it is
    // claimIdleMs old: a third of claimIdleMs, less when the floor stretches the interval (0: every run).
    this.refreshAgeMs = Math.max(0, o.claimIdleMs - 2 * this.keepAliveMs);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** True while `entryId` is being handled here (a second delivery of it must not run it again). */
  isHandling(entryId: string): boolean {
    return this.inFlight.has(entryId);
  }

  /**
   * Registers the work a handler started for one entry: it holds a slot and keeps its claim fresh until
   * `run` settles. `run` must not reject (a failure leaves the entry pending; the handler logs it).
   */
  track(entryId: string, run: Promise<void>): void {
    this.startedAt.set(entryId, Date.now());
    this.inFlight.set(
      entryId,
      run.finally(() => {
        this.inFlight.delete(entryId);
        this.startedAt.delete(entryId);
        this.freeSlot();
      }),
    );
  }

  async start(): Promise<void> {
    await ensureGroup(this.o.writer, this.o.stream, this.o.group);
    this.loop.start();
    this.reclaimTimer = setInterval(() => void this.reclaim(), this.o.reclaimIntervalMs);
    this.keepAliveTimer = setInterval(() => this.keepClaims(), this.keepAliveMs);
  }

  /**
   * Stops reading and waits up to `drainMs` in all for the entries being handled; the rest stay pending
   * for other instances. The deadline holds whatever Redis does: a read parked in `XREADGROUP` on a
   * hung or lost connection is not awaited past it (its owner closes the connection).
   */
  async stop(drainMs: number): Promise<StreamGroupReaderStopped> {
    const deadline = Date.now() + drainMs;
    this.loop.halt();
    this.freeSlot();
    clearInterval(this.reclaimTimer);
    // A read queued on a connection that is down resolves only after a reconnect: nothing to wait for
    // (its entries stay pending); waiting would spend the whole deadline with Redis gone.
    let loopEnded = true;
    if (!(this.parkedOnRead && this.o.reader.status !== 'ready'))
      loopEnded = await this.loop.stop(deadline - Date.now());
    const running = [...this.inFlight.values()];
    const settled = await untilDeadline(Promise.allSettled(running), deadline);
    clearInterval(this.keepAliveTimer);
    const abandoned = settled ? 0 : this.inFlight.size;
    return { finished: running.length - abandoned, abandoned, drained: loopEnded && settled };
  }

  private async readLoop(run: LoopRun): Promise<void> {
    let pendingCursor: string | null = '0'; // own pending entries first, then new ones ('>')
    let failures = 0;
    while (run.running) {
      const free = this.o.slots - this.inFlight.size;
      if (free <= 0) {
        // Waits for a free slot or for stop(). Not a race of the runs and the halt: each would leave a
        // reaction on the promises still pending (the halt, a slow run) for every wait, until they settle.
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let batchFailed = false;
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
        // Read after stop() was called: leave them pending (delivered to us, reclaimed by others).
        if (!run.running) break;
        const readAt = this.coalesceMs > 0 ? Date.now() : 0;
        const entries = entriesOf(reply);
        const own = pendingCursor !== null;
        if (own) pendingCursor = entries.length > 0 ? (entries[entries.length - 1] as StreamEntry)[0] : null;
        if (entries.length > 0) {
          const batch = own
            ? this.deliver(
                entries,
                await this.ownDeliveries(entries),
                'own-pending',
                this.selfOwners(entries),
              )
            : this.deliver(entries, 1, 'new');
          if (batch) batchFailed = await batch.then(FALSE, TRUE);
        }
        if (!batchFailed) {
          failures = 0;
          if (readAt > 0 && entries.length > 0 && entries.length < free) await this.coalesce(readAt);
        }
      } catch (err) {
        if (!run.running) break;
        const message = (err as Error).message;
        if (message.includes('NOGROUP')) {
          await this.recoverGroup();
          pendingCursor = '0'; // read own pending again
        }
        this.o.logger.warn({ msg: 'stream read failed, retrying', ...this.o.logContext, error: message });
        batchFailed = true;
      }
      // The same capped, jittered backoff the Redis connections use; stop() cuts it short. A handler
      // that rejected its batch logged why (the store is down, most likely).
      if (batchFailed) await this.loop.wait(reconnectDelay(++failures, 2000));
    }
  }

  /**
   * The delivery counts of own pending entries just read again (a history read counts as a delivery),
   * one `XPENDING` per page, at start-up only. Without them a message that kills the process every
   * time ran again at each restart under the same consumer name, forever: the count that sends it to
   * the dead letter was looked at only by the reclaim pass, which never got its turn. When `XPENDING`
   * fails, 2 (a lower bound) stands in and the reclaim pass keeps counting.
   */
  private async ownDeliveries(entries: StreamEntry[]): Promise<number[]> {
    const first = (entries[0] as StreamEntry)[0];
    const last = (entries[entries.length - 1] as StreamEntry)[0];
    let rows: PendingRow[] = [];
    try {
      rows = (await this.o.writer.xpending(
        this.o.stream,
        this.o.group,
        first,
        last,
        entries.length,
        this.o.consumer,
      )) as PendingRow[];
    } catch (err) {
      this.o.logger.warn({
        msg: 'delivery counts of own pending entries unknown',
        ...this.o.logContext,
        error: (err as Error).message,
      });
    }
    const counts = new Map(rows.map(([id, , , deliveries]) => [id, Number(deliveries)]));
    return entries.map(([id]) => counts.get(id) ?? 2);
  }

  private selfOwners(entries: StreamEntry[]): string[] {
    return entries.map(() => this.o.consumer);
  }

  /**
   * Hands a batch to the handler. One that returns a promise holds the batch's slots until it settles;
   * a batch arriving meanwhile (a claim during a read) is handed over after it, never alongside.
   */
  private deliver(
    entries: StreamEntry[],
    deliveries: number | readonly number[],
    origin: EntryOrigin,
    owners?: readonly string[],
  ): Promise<void> | undefined {
    const previous = this.batchInProgress;
    if (previous === undefined) {
      const done = this.o.handle(entries, deliveries, origin, owners);
      return done ? this.holdSlots(entries, done) : undefined;
    }
    const handOver = () => this.o.handle(entries, deliveries, origin, owners) ?? undefined;
    return this.holdSlots(entries, previous.then(handOver, handOver));
  }

  private holdSlots(entries: StreamEntry[], done: Promise<void>): Promise<void> {
    const now = Date.now();
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    const batch = done.finally(() => {
      for (const [id] of entries) {
        if (this.inFlight.get(id) === settled) {
          this.inFlight.delete(id);
          this.startedAt.delete(id);
        }
      }
      if (this.batchInProgress === batch) this.batchInProgress = undefined;
      this.freeSlot();
    });
    for (const [id] of entries) {
      this.inFlight.set(id, settled);
      this.startedAt.set(id, now);
    }
    this.batchInProgress = batch;
    return batch;
  }

  /** Wakes the loop if it waits for a free slot. */
  private freeSlot(): void {
    const wake = this.slotFreed;
    if (wake === undefined) return;
    this.slotFreed = undefined;
    wake();
  }

  /** Waits out the rest of the coalescing window after a read that returned at `readAt`. */
  private async coalesce(readAt: number): Promise<void> {
    const rest = readAt + this.coalesceMs - Date.now();
    if (rest > 0) await this.loop.wait(rest);
  }

  private recoverGroup(): Promise<void> {
    // Redis lost the group (restart without persistence): recreate it, or no consumer would ever read
    // again while producers keep writing.
    return ensureGroup(this.o.writer, this.o.stream, this.o.group).catch(() => undefined);
  }

  /**
   * Keeps the claims of long-running entries fresh (one `XCLAIM ... JUSTID` for all of them), so they
   * never look idle to the reclaim pass of another instance. Entries started less than `refreshAgeMs`
   * ago are fresh anyway (just delivered): most handlers end before they need it.
   */
  private keepClaims(): void {
    if (this.startedAt.size === 0) return;
    const threshold = Date.now() - this.refreshAgeMs;
    const ids: string[] = [];
    for (const [id, startedAt] of this.startedAt) if (startedAt <= threshold) ids.push(id);
    if (ids.length === 0) return;
    void this.o.writer
      .call('XCLAIM', this.o.stream, this.o.group, this.o.consumer, '0', ...ids, 'JUSTID')
      .catch(() => undefined);
  }

  /**
   * Claims own entries not acked once their backoff passed and entries of idle consumers, and hands them
   * to the handler with their delivery counts. Each pass reads `XPENDING` pages from where the last one
   * stopped, so entries beyond the first page get their turn too; it stops when the slots are full.
   */
  private async reclaim(): Promise<void> {
    if (this.reclaiming || !this.loop.running) return;
    this.reclaiming = true;
    try {
      const minIdle = Math.min(this.o.retryDelayMs, this.o.claimIdleMs);
      for (let page = 0; page < MAX_RECLAIM_PAGES && this.loop.running; page++) {
        const free = this.o.slots - this.inFlight.size;
        if (free <= 0) return;
        const rows = (await this.o.writer.xpending(
          this.o.stream,
          this.o.group,
          'IDLE',
          minIdle,
          this.reclaimCursor,
          '+',
          this.reclaimPage,
        )) as PendingRow[];
        const plan = planClaims(rows, {
          consumer: this.o.consumer,
          free,
          retryDelayMs: this.o.retryDelayMs,
          claimIdleMs: this.o.claimIdleMs,
          pageSize: this.reclaimPage,
          isHandling: (id) => this.inFlight.has(id),
        });
        this.reclaimCursor = plan.cursor;
        for (const [minIdleMs, ids] of plan.byMinIdle) {
          if (!(await this.claimAndDeliver(minIdleMs, ids, plan))) return;
        }
        if (plan.cursor === '-') return;
      }
    } catch (err) {
      const message = (err as Error).message;
      if (message.includes('NOGROUP')) await this.recoverGroup();
      this.o.logger.warn({ msg: 'reclaim pass failed', ...this.o.logContext, error: message });
    } finally {
      this.reclaiming = false;
    }
  }

  /** One atomic `XCLAIM` (of several instances only one gets each entry); false if the pass should stop. */
  private async claimAndDeliver(minIdleMs: number, ids: string[], plan: ClaimPlan): Promise<boolean> {
    const reply = (await this.o.writer.call(
      'XCLAIM',
      this.o.stream,
      this.o.group,
      this.o.consumer,
      String(minIdleMs),
      ...ids,
    )) as Array<StreamEntry | null>;
    // Redis 7 drops entries deleted meanwhile from the PEL itself; 6.2 returns them with null fields.
    const claimed = reply.filter((entry): entry is StreamEntry => entry !== null);
    // Claimed after stop() was called: left pending for the next owner.
    if (claimed.length === 0 || !this.loop.running) return this.loop.running;
    const counts = claimed.map(([id]) => plan.deliveries.get(id) ?? 1);
    const owners = claimed.map(([id]) => plan.owners.get(id) ?? '');
    const batch = this.deliver(claimed, counts, 'claimed', owners);
    // A rejected batch (logged by its handler) ends the pass: the next one retries after the interval.
    return batch ? batch.then(TRUE, FALSE) : true;
  }
}

const FALSE = (): boolean => false;
const TRUE = (): boolean => true;

const RECLAIM_PAGE = 100;
/** Pages one reclaim pass reads at most (bounds a pass over a huge pending list). */
const MAX_RECLAIM_PAGES = 10;
/** Shortest interval of the claim keep-alive. */
const KEEP_ALIVE_FLOOR_MS = 50;
