import type { Kysely, Migration } from 'kysely';

/**
 * Drops `processed_event`, which nothing ever used: event dedupe lives in the data Redis, in the same
 * script as the feed write (`feed/feed.scripts.ts`). 0001 stays in the list because Kysely refuses to
 * migrate a database that has run a migration the list no longer names ("corrupted migrations").
 */
export const dropProcessedEvents: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.dropTable('processed_event').ifExists().execute();
  },
};
