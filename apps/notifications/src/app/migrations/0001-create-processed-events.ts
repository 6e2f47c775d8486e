import type { Kysely, Migration } from 'kysely';

/** Ids of events already turned into notifications, so a redelivered event is not notified twice. */
export const createProcessedEvents: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('processed_event')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('processed_at', 'text', (c) => c.notNull())
      .execute();
  },
};
