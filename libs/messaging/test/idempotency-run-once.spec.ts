import { createDatabase, migrateToLatest } from '@shop/database';
import { createTestDatabase, describeEachDialect, waitFor, type TestDatabase } from '@shop/testing';
import type { Kysely } from 'kysely';
import {
  processedMessagesMigration,
  pruneProcessedMessages,
  runOnce,
  startProcessedMessagesPruning,
} from '../src';

interface Db {
  processed_message: { message_id: string; processed_at: string };
}

describeEachDialect('runOnce retention', (dialect) => {
  let target: TestDatabase;
  let db: Kysely<Db>;

  beforeEach(async () => {
    target = await createTestDatabase(dialect);
    db = createDatabase<Db>({ url: target.url }).db;
    await migrateToLatest(db as Kysely<unknown>, { '0001-processed': processedMessagesMigration() });
  });

  afterEach(async () => {
    await db.destroy();
    await target.dispose();
  });

  const ids = async () =>
    (await db.selectFrom('processed_message').select('message_id').orderBy('message_id').execute()).map(
      (r) => r.message_id,
    );
  const age = (id: string, ms: number) =>
    db
      .updateTable('processed_message')
      .set({ processed_at: new Date(Date.now() - ms).toISOString() })
      .where('message_id', '=', id)
      .execute();

  it('prunes processed ids older than the retention and keeps the recent ones', async () => {
    for (const id of ['old-1', 'old-2', 'recent']) await runOnce(db, id, async () => undefined);
    await age('old-1', 8 * 86_400_000);
    await age('old-2', 7 * 86_400_000 + 1_000);
    expect(await pruneProcessedMessages(db, { retentionMs: 7 * 86_400_000 })).toBe(2);
    expect(await ids()).toEqual(['recent']);
    // Still deduplicated within the retention.
    expect(await runOnce(db, 'recent', async () => undefined)).toEqual({ applied: false });
  });

  it('a periodic pruner deletes expired ids until stopped', async () => {
    await runOnce(db, 'old', async () => undefined);
    await age('old', 2_000);
    const pruner = startProcessedMessagesPruning(db, { retentionMs: 1_000, intervalMs: 20 });
    try {
      await waitFor('the old id pruned', async () => (await ids()).length === 0 || undefined);
    } finally {
      await pruner.stop();
    }
  });
});
