import type { Kysely, Migration, Transaction } from 'kysely';
import { newMessageId } from '../envelope';

/** One row of the outbox: an event written in the same transaction as the change it describes. */
export interface OutboxRow {
  id: string;
  pattern: string;
  payload: string;
  created_at: string;
  published_at: string | null;
  claimed_by: string | null;
  /** Epoch ms until which the claim holds; after a failure, when the row may be tried again. */
  claimed_until: number | null;
  /** Failed publish attempts so far; the row is parked after the relay's `maxAttempts`. */
  attempts: number;
  /** The last publish failure, for the operator. */
  last_error: string | null;
  /** Set when the row was parked (undecodable payload, or `maxAttempts` failures): it is not retried. */
  failed_at: string | null;
}

export type OutboxDb = Record<string, OutboxRow>;

/** Creates the outbox table; add it to the service's migrations. */
export function outboxMigration(table = 'outbox'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(table)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pattern', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text')
        .addColumn('claimed_by', 'text')
        .addColumn('claimed_until', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('failed_at', 'text')
        .execute();
      await db.schema
        .createIndex(`${table}_unpublished`)
        .on(table)
        .columns(['published_at', 'created_at'])
        .execute();
    },
  };
}

/**
 * Records an event inside the caller's transaction: it becomes visible to the relay only if the change
 * commits, and it survives a crash right after the commit. The returned id is the message id consumers
 * deduplicate on; pass `id` (from `newMessageId()`) when the payload itself must carry it.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('orders').values(order).execute();
 *   await insertOutboxEvent(trx, 'orders.created', { orderId: order.id });
 * });
 */
export async function insertOutboxEvent<DB>(
  trx: Transaction<DB> | Kysely<DB>,
  pattern: string,
  data: unknown,
  table = 'outbox',
  id = newMessageId(),
): Promise<string> {
  await (trx as unknown as Kysely<OutboxDb>)
    .insertInto(table)
    .values({
      id,
      pattern,
      payload: JSON.stringify(data),
      created_at: outboxTimestamp(),
      published_at: null,
      claimed_by: null,
      claimed_until: null,
      attempts: 0,
      last_error: null,
      failed_at: null,
    })
    .execute();
  return id;
}

let lastMs = 0;
let sameMs = 0;

/**
 * `created_at` of an outbox row: ISO 8601 with microsecond digits, strictly increasing within a process,
 * so the relay (`ORDER BY created_at`) publishes one process's events in the order they were written.
 * With millisecond timestamps, rows written in the same millisecond tied, and PostgreSQL returned them in
 * whatever order their tuples had after a claim/release (seen: n:1, n:3, n:2).
 */
export function outboxTimestamp(now = Date.now()): string {
  if (now <= lastMs) {
    sameMs++;
    if (sameMs > 999) {
      lastMs++;
      sameMs = 0;
    }
  } else {
    lastMs = now;
    sameMs = 0;
  }
  const iso = new Date(lastMs).toISOString(); // ...T07:45:09.123Z
  return `${iso.slice(0, -1)}${String(sameMs).padStart(3, '0')}Z`;
}
