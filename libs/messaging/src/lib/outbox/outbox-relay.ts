import { Logger } from '@nestjs/common';
import { LuaScript, type RedisConnections } from '@shop/redis';
import type { Kysely } from 'kysely';
import { encode, type Envelope } from '../envelope';
import { streamNames } from '../streams/stream-names';
import type { OutboxDb, OutboxRow } from './outbox';

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
  /** @default 100_000 */
  maxStreamLength?: number;
}

// The marker and the XADD in one script: a row is appended to the stream at most once, even when a relay
// died after publishing but before marking the row, or two relays raced for an expired lease.
const PUBLISH_ONCE = new LuaScript<string | null>(
  'outbox-publish-once',
  `if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return false end
   return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', ARGV[3], ARGV[4])`,
);

/**
 * Publishes committed outbox rows to the service's event stream. Several relays (one per instance) share
 * the work: each claims a batch with a lease (`FOR UPDATE SKIP LOCKED` on Postgres; SQLite serializes
 * writers), publishes each row at most once (Redis marker + `XADD` in one script), then marks the rows
 * published. A row is never lost: until it is marked, a later round (or another relay) publishes it.
 */
export class OutboxRelay {
  private readonly o: Required<OutboxRelayOptions>;
  private readonly log = new Logger('OutboxRelay');
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(options: OutboxRelayOptions) {
    this.o = {
      table: 'outbox',
      batchSize: 100,
      intervalMs: 200,
      leaseMs: 10_000,
      markerTtlSeconds: 86_400,
      maxStreamLength: 100_000,
      ...options,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Publishes now instead of at the next round (after a commit, to cut latency). */
  nudge(): void {
    this.wake?.();
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

  /** One claim-publish-mark round; returns how many rows it published. */
  async round(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    const redis = this.o.connections.shared('data', 'background');
    const stream = streamNames.events(this.o.connections.keys, this.o.service);
    const published: string[] = [];
    for (const row of rows) {
      const envelope: Envelope = {
        id: row.id,
        pattern: row.pattern,
        data: JSON.parse(row.payload),
        sender: `${this.o.service}:${this.o.instanceId}`,
        ts: Date.parse(row.created_at),
      };
      const marker = this.o.connections.keys.tagged('outbox-sent', this.o.service, row.id);
      await PUBLISH_ONCE.run(
        redis,
        [marker, stream],
        [this.o.markerTtlSeconds, this.o.maxStreamLength, ...encode(envelope)],
      );
      published.push(row.id);
    }
    await this.table()
      .updateTable(this.o.table)
      .set({ published_at: new Date().toISOString(), claimed_by: null, claimed_until: null })
      .where('id', 'in', published)
      .where('claimed_by', '=', this.o.instanceId)
      .execute();
    return published.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.round();
      } catch (err) {
        this.log.warn({ msg: 'outbox round failed, retrying', error: (err as Error).message });
      }
      if (published < this.o.batchSize && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.intervalMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  private table(): Kysely<OutboxDb> {
    return this.o.db as unknown as Kysely<OutboxDb>;
  }

  private async claim(): Promise<OutboxRow[]> {
    const now = Date.now();
    const db = this.table();
    let candidates = db
      .selectFrom(this.o.table)
      .select('id')
      .where('published_at', 'is', null)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .orderBy('created_at')
      .limit(this.o.batchSize);
    if (this.o.dialect === 'postgres') candidates = candidates.forUpdate().skipLocked();
    const rows = await db
      .updateTable(this.o.table)
      .set({ claimed_by: this.o.instanceId, claimed_until: now + this.o.leaseMs })
      .where('id', 'in', candidates)
      .returningAll()
      .execute();
    // RETURNING has no order; publish in commit order.
    return rows.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }
}
