import { Logger } from '@nestjs/common';
import type { RedisConnections } from '@shop/redis';
import { BackgroundLoop, type LoopRun } from '@shop/util';
import { sql, type Kysely } from 'kysely';
import { encode, type Envelope } from '../envelope';
import { streamNames } from '../streams/stream-names';
import type { OutboxDb, OutboxRow } from './outbox';
import { describeFailure, isServerStateError, retryDelay } from './outbox-failure';
import { publishOnce } from './publish-once';

export interface OutboxRelayOptions {
  db: Kysely<unknown>;
  dialect: 'sqlite' | 'postgres';
  connections: RedisConnections;
  /** The producing service: rows go to its event stream. */
  service: string;
  instanceId: string;
  /** @default 'outbox' */
  table?: string;
  /** Rows claimed per round. @default 100 */
  batchSize?: number;
  /** Pause between rounds when the outbox was empty. @default 200 */
  intervalMs?: number;
  /** How long a claim protects rows from other relays; a dead relay's rows are retaken after it. @default 10_000 */
  leaseMs?: number;
  /** How long the "already published" marker of a row is kept in Redis. @default 86_400 (s) */
  markerTtlSeconds?: number;
  /** Failed publish attempts after which a row is parked (`failed_at` set) instead of retried. @default 5 */
  maxAttempts?: number;
  /** First retry delay of a failed row, doubling per attempt (capped at `leaseMs`). @default 1_000 */
  retryDelayMs?: number;
  /** How long `stop()` waits for the round in progress (e.g. one blocked on a Redis that is down). @default 5_000 */
  drainTimeoutMs?: number;
  /** Published rows older than this are deleted, so the table does not grow forever. @default 86_400_000 (1 day) */
  retainPublishedMs?: number;
  /** How often the running relay deletes old published rows. @default 600_000 (10 min) */
  pruneIntervalMs?: number;
}

type RowOutcome = 'published' | 'failed';

/**
 * Publishes committed outbox rows to the service's event stream. Several relays (one per instance) share
 * the work: each claims a batch with a lease (`FOR UPDATE SKIP LOCKED` on Postgres; SQLite serializes
 * writers), publishes each row at most once (marker check + `XADD` + marker in one script), then marks
 * the rows published. A row is never lost: until it is marked, a later round (or another relay)
 * publishes it.
 *
 * Failures are isolated per row: a row that cannot be decoded is parked at once; a row Redis rejects
 * (e.g. `WRONGTYPE`) is retried with backoff and parked after `maxAttempts`; either way the rows after it
 * are still published. Errors about the server rather than the row (connection lost, `OOM`, `READONLY`)
 * end the round without counting an attempt. Parked rows keep `failed_at` and `last_error`; after
 * fixing the cause, `requeueParked()` puts them back.
 */
export class OutboxRelay {
  private readonly o: Required<OutboxRelayOptions>;
  private readonly log = new Logger('OutboxRelay');
  private stopRequested = false;
  /** Rounds in the background: `running`, a pause that `nudge()`/`stop()` cut short, a bounded stop. */
  private readonly loop = new BackgroundLoop((run) => this.run(run));

  constructor(options: OutboxRelayOptions) {
    this.o = {
      table: 'outbox',
      batchSize: 100,
      intervalMs: 200,
      leaseMs: 10_000,
      markerTtlSeconds: 86_400,
      maxAttempts: 5,
      retryDelayMs: 1_000,
      drainTimeoutMs: 5_000,
      retainPublishedMs: 86_400_000,
      pruneIntervalMs: 600_000,
      ...options,
    };
  }

  start(): void {
    if (this.loop.running) return;
    this.stopRequested = false;
    this.loop.start();
  }

  /**
   * Stops after the row being published. Waits at most `timeoutMs` for the round in progress: a round
   * blocked on a Redis that is down is abandoned (its rows are retaken when their lease ends, and the
   * publish-once marker keeps a late `XADD` from appearing twice).
   */
  async stop(timeoutMs = this.o.drainTimeoutMs): Promise<void> {
    this.stopRequested = true;
    if (!(await this.loop.stop(timeoutMs))) {
      this.log.warn({ msg: 'outbox relay stopped with a round still in progress', timeoutMs });
    }
  }

  /** Publishes now instead of at the next round (after a commit, to cut latency). */
  nudge(): void {
    this.loop.wake();
  }

  /** Runs rounds until a round finds nothing to publish; returns the rows published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.round();
      total += n;
      if (n === 0) return total;
    }
  }

  /**
   * Deletes rows published more than `olderThanMs` ago; returns how many. Parked and unpublished rows are
   * kept. The running relay calls it every `pruneIntervalMs`.
   */
  async prunePublished(olderThanMs = this.o.retainPublishedMs): Promise<number> {
    const cutoff = new Date(Date.now() - olderThanMs).toISOString();
    const result = await this.table()
      .deleteFrom(this.o.table)
      .where('published_at', 'is not', null)
      .where('published_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Puts parked rows (all, or the given ids) back in line with a fresh attempt count; returns how many. */
  async requeueParked(ids?: string[]): Promise<number> {
    let query = this.table()
      .updateTable(this.o.table)
      .set({ failed_at: null, attempts: 0, claimed_by: null, claimed_until: null })
      .where('failed_at', 'is not', null)
      .where('published_at', 'is', null);
    if (ids) query = query.where('id', 'in', ids);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * One claim-publish-mark round; returns how many rows it published. It throws only when the database
   * fails or Redis is in a state where no row can be published (the rows are released for a later round).
   */
  async round(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    const published: string[] = [];
    let done = 0;
    try {
      for (const row of rows) {
        if (this.stopRequested) break;
        if ((await this.publishRow(row)) === 'published') published.push(row.id);
        done++;
      }
    } finally {
      await this.markPublished(published);
      await this.release(rows.slice(done).map((r) => r.id));
    }
    return published.length;
  }

  private async publishRow(row: OutboxRow): Promise<RowOutcome> {
    let fields: [string, string];
    try {
      fields = encode(this.envelopeOf(row)) as [string, string];
    } catch (err) {
      // Retrying cannot fix a payload that does not decode: park it now.
      await this.recordFailure(row, err, true);
      return 'failed';
    }
    const marker = this.o.connections.keys.tagged('outbox-sent', this.o.service, row.id);
    const stream = streamNames.events(this.o.connections.keys, this.o.service);
    try {
      await publishOnce(
        this.o.connections.shared('data', 'background'),
        marker,
        stream,
        this.o.markerTtlSeconds,
        fields,
      );
      return 'published';
    } catch (err) {
      if (isServerStateError(err)) throw err;
      await this.recordFailure(row, err, false);
      return 'failed';
    }
  }

  private envelopeOf(row: OutboxRow): Envelope {
    return {
      id: row.id,
      pattern: row.pattern,
      data: JSON.parse(row.payload),
      sender: `${this.o.service}:${this.o.instanceId}`,
      ts: Date.parse(row.created_at),
    };
  }

  private async recordFailure(row: OutboxRow, err: unknown, permanent: boolean): Promise<void> {
    const attempts = Number(row.attempts ?? 0) + 1;
    const park = permanent || attempts >= this.o.maxAttempts;
    const lastError = describeFailure(err);
    const now = Date.now();
    await this.table()
      .updateTable(this.o.table)
      .set({
        attempts,
        last_error: lastError,
        claimed_by: null,
        claimed_until: park ? null : now + retryDelay(attempts, this.o.retryDelayMs, this.o.leaseMs),
        failed_at: park ? new Date(now).toISOString() : null,
      })
      .where('id', '=', row.id)
      .where('claimed_by', '=', this.o.instanceId)
      .execute();
    const entry = { msg: '', id: row.id, pattern: row.pattern, attempts, error: lastError };
    if (park) this.log.error({ ...entry, msg: 'outbox row parked: it will not be published until requeued' });
    else this.log.warn({ ...entry, msg: 'outbox row failed to publish; retrying later' });
  }

  private async markPublished(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.table()
      .updateTable(this.o.table)
      .set({ published_at: new Date().toISOString(), claimed_by: null, claimed_until: null })
      .where('id', 'in', ids)
      .where('claimed_by', '=', this.o.instanceId)
      .execute();
  }

  /** Gives rows this round did not get to back to every relay, without counting an attempt. */
  private async release(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.table()
      .updateTable(this.o.table)
      .set({ claimed_by: null, claimed_until: null })
      .where('id', 'in', ids)
      .where('claimed_by', '=', this.o.instanceId)
      .where('published_at', 'is', null)
      .execute();
  }

  private async run(self: LoopRun): Promise<void> {
    try {
      await this.rounds(self);
    } finally {
      // A later drain() (a final flush after stop) publishes again.
      this.stopRequested = false;
    }
  }

  private async rounds(self: LoopRun): Promise<void> {
    let failures = 0;
    let lastPrune = Date.now();
    while (self.running) {
      let published = 0;
      try {
        published = await this.round();
        failures = 0;
        if (Date.now() - lastPrune >= this.o.pruneIntervalMs) {
          lastPrune = Date.now();
          await this.prunePublished();
        }
      } catch (err) {
        failures++;
        this.log.warn({ msg: 'outbox round failed, retrying', error: describeFailure(err) });
      }
      if (published < this.o.batchSize || failures > 0) {
        // Back off while rounds keep failing (Redis or the database down), up to the lease.
        await this.loop.wait(
          failures > 0 ? retryDelay(failures, this.o.intervalMs, this.o.leaseMs) : this.o.intervalMs,
        );
      }
    }
  }

  private table(): Kysely<OutboxDb> {
    return this.o.db as unknown as Kysely<OutboxDb>;
  }

  /**
   * Claims the next rows in commit order, but never a row newer than one any relay holds: relays
   * take turns instead of publishing side by side, so the stream has the rows in `created_at` order (an
   * order's `created` before its `status_changed`) however many instances run. Claims are serialized
   * (an advisory lock on Postgres for the claim's transaction; SQLite serializes writers), so two
   * relays cannot both see the other's rows as free. A row waiting for its retry delay is held by no one
   * and blocks nothing (failures stay isolated); a relay that died holds its rows until `leaseMs`, also
   * against its successor under the same `instanceId` (a restarted container keeps its pod name).
   */
  private async claim(): Promise<OutboxRow[]> {
    const now = Date.now();
    const table = this.o.table;
    const me = this.o.instanceId;
    const claimIn = async (db: Kysely<OutboxDb>) => {
      let candidates = db
        .selectFrom(table)
        .select('id')
        .where('published_at', 'is', null)
        .where('failed_at', 'is', null)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom(`${table} as held`)
                .select('held.id')
                .where('held.published_at', 'is', null)
                // Its own claims too: a row held under this instanceId is one a previous life of this
                // instance (killed, or a round abandoned by stop()) left; its newer rows wait like anyone's.
                .where('held.claimed_by', 'is not', null)
                .where('held.claimed_until', '>=', now)
                .whereRef('held.created_at', '<', `${table}.created_at`),
            ),
          ),
        )
        .orderBy('created_at')
        .limit(this.o.batchSize);
      if (this.o.dialect === 'postgres') candidates = candidates.forUpdate().skipLocked();
      return db
        .updateTable(table)
        .set({ claimed_by: me, claimed_until: now + this.o.leaseMs })
        .where('id', 'in', candidates)
        .returningAll()
        .execute();
    };
    const rows =
      this.o.dialect === 'postgres'
        ? await this.table()
            .transaction()
            .execute(async (trx) => {
              await sql`select pg_advisory_xact_lock(hashtext(${`outbox-claim:${table}`}))`.execute(trx);
              return claimIn(trx);
            })
        : await claimIn(this.table());
    // RETURNING has no order; publish in commit order.
    return rows.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }
}
