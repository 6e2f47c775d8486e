import type { Kysely, Migration } from 'kysely';

/** Gateway accounts: who may log in, and their role. */
export const createAccounts: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('account')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull().defaultTo('customer'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};
