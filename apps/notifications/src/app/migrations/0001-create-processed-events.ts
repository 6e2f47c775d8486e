import type { Kysely, Migration } from 'kysely';

/** Historical (never used; dropped by 0002): kept so databases that ran it still migrate. */
export const createProcessedEvents: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('processed_event')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('processed_at', 'text', (c) => c.notNull())
      .execute();
  },
};
