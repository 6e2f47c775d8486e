import type { Kysely, Migration, Transaction } from 'kysely';

/** The table that remembers processed message ids. */
export function processedMessagesMigration(table = 'processed_message'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable(table)
        .ifNotExists()
        .addColumn('message_id', 'text', (c) => c.primaryKey())
        .addColumn('processed_at', 'text', (c) => c.notNull())
        .execute();
      // For pruneProcessedMessages(), which deletes by age.
      await db.schema
        .createIndex(`${table}_processed_at`)
        .ifNotExists()
        .on(table)
        .column('processed_at')
        .execute();
    },
  };
}

type ProcessedDb = Record<string, { message_id: string; processed_at: string }>;

/**
 * Runs `effect` at most once per message id: the id is recorded in the same transaction as the effect,
 * so a redelivered message finds it and skips, and an effect that fails rolls the record back so the
 * retry runs it. Returns `{ applied: false }` for a duplicate. Ids are remembered until pruned
 * (`pruneProcessedMessages` / `startProcessedMessagesPruning`).
 *
 * @example
 * await runOnce(db, ctx.getMessageId(), (trx) => trx.insertInto('notification').values(row).execute());
 */
export async function runOnce<DB, T>(
  db: Kysely<DB>,
  messageId: string,
  effect: (trx: Transaction<DB>) => Promise<T>,
  table = 'processed_message',
): Promise<{ applied: true; result: T } | { applied: false }> {
  return db.transaction().execute(async (trx) => {
    const tx = trx as unknown as Transaction<ProcessedDb>;
    const inserted = await tx
      .insertInto(table)
      .values({ message_id: messageId, processed_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('message_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return { applied: false as const };
    return { applied: true as const, result: await effect(trx) };
  });
}
