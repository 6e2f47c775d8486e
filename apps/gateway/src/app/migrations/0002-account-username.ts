import type { Kysely, Migration } from 'kysely';

/**
 * Accounts log in with a username (`^[a-z0-9_]{3,32}$`, case-folded), not an email; `updated_at` records
 * password and role changes (the admin account is updated at every start).
 */
export const accountUsername: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('account').renameColumn('email', 'username').execute();
    await db.schema.alterTable('account').addColumn('updated_at', 'text').execute();
    await db
      .updateTable('account' as never)
      .set({ updated_at: '1970-01-01T00:00:00.000Z' } as never)
      .execute();
  },
};
