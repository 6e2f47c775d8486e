import { createTestDatabase, postgresSkipReason } from '@shop/testing';
import { type Kysely, type Migration } from 'kysely';
import { Client } from 'pg';
import { createDatabase, migrateToLatest } from '../src';

const migrations: Record<string, Migration> = {
  '0001-create-thing': {
    async up(db) {
      await db.schema
        .createTable('thing')
        .addColumn('id', 'serial', (c) => c.primaryKey())
        .execute();
    },
  },
};

/**
 * Services (and test cases) share one Postgres database, each in its own schema. A migration must not
 * depend on the rest of the database: Kysely's introspection reads every table of every schema and
 * resolves their names again (`has_schema_privilege`, `pg_get_serial_sequence`), so a schema dropped by
 * someone else during that query failed the migration with `schema "<theirs>" does not exist` (seen in
 * CI: an orders instance of one suite died at start while another suite dropped its schema).
 */
const describePg = postgresSkipReason() ? describe.skip : describe;

describePg('migrations beside DDL in other schemas (postgres)', () => {
  it('migrate while other schemas with tables are created and dropped', async () => {
    const base = process.env['TEST_DATABASE_URL'] as string;
    const churn = new Client({ connectionString: base });
    await churn.connect();
    let stop = false;
    let churned = 0;
    const churning = (async () => {
      while (!stop) {
        const s = `churn_${process.pid}_${churned++}`;
        await churn.query(`CREATE SCHEMA "${s}"`);
        await churn.query(
          `CREATE TABLE "${s}".a (id serial primary key, x int, y text, z int, w text, v int)`,
        );
        await churn.query(`DROP SCHEMA "${s}" CASCADE`);
      }
    })();
    const failures: string[] = [];
    try {
      // Bounded: 40 fresh databases, each migrated from empty (two introspections per run).
      for (let i = 0; i < 40; i++) {
        const target = await createTestDatabase('postgres');
        const { db } = createDatabase({ url: target.url });
        try {
          await migrateToLatest(db as Kysely<unknown>, migrations);
        } catch (err) {
          failures.push((err as Error).message);
        } finally {
          await db.destroy();
          await target.dispose();
        }
      }
    } finally {
      stop = true;
      await churning;
      await churn.end();
    }
    expect(churned).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  }, 60_000);
});
