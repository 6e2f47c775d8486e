import { createTestDatabase, describeEachDialect, type TestDatabase } from '@shop/testing';
import { sql, type Kysely, type Migration } from 'kysely';
import { createDatabase, migrateToLatest, MigrationFailedError } from '../src';

interface TestDb {
  widget: { id: number; name: string; price_cents: number };
}

const migrations: Record<string, Migration> = {
  '0001-create-widget': {
    async up(db) {
      await db.schema
        .createTable('widget')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('price_cents', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002-index-name': {
    async up(db) {
      await db.schema.createIndex('widget_price').on('widget').column('price_cents').execute();
    },
  },
};

describeEachDialect('database', (dialect) => {
  let target: TestDatabase;
  let db: Kysely<TestDb>;

  beforeEach(async () => {
    target = await createTestDatabase(dialect);
    db = createDatabase<TestDb>({ url: target.url }).db;
  });

  afterEach(async () => {
    await db.destroy();
    await target.dispose();
  });

  it('applies migrations once, in order, and a second run is a no-op', async () => {
    expect(await migrateToLatest(db as Kysely<unknown>, migrations)).toEqual([
      '0001-create-widget',
      '0002-index-name',
    ]);
    expect(await migrateToLatest(db as Kysely<unknown>, migrations)).toEqual([]);
    await db.insertInto('widget').values({ id: 1, name: 'bolt', price_cents: 250 }).execute();
    expect(await db.selectFrom('widget').selectAll().execute()).toEqual([
      { id: 1, name: 'bolt', price_cents: expect.anything() },
    ]);
  });

  it('lets two instances migrate the same database at once', async () => {
    const other = createDatabase<TestDb>({ url: target.url }).db;
    try {
      // What two service instances do at start (DatabaseConnection passes the lock file for SQLite).
      const lockFile =
        dialect === 'sqlite' ? `${target.url.slice('sqlite:'.length)}.migrate.lock` : undefined;
      const [a, b] = await Promise.all([
        migrateToLatest(db as Kysely<unknown>, migrations, undefined, { lockFile }),
        migrateToLatest(other as Kysely<unknown>, migrations, undefined, { lockFile }),
      ]);
      expect([...a, ...b].sort()).toEqual(['0001-create-widget', '0002-index-name']);
    } finally {
      await other.destroy();
    }
  });

  it('rolls a transaction back completely when it throws', async () => {
    await migrateToLatest(db as Kysely<unknown>, migrations);
    await db.insertInto('widget').values({ id: 1, name: 'nut', price_cents: 5 }).execute();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('widget').values({ id: 3, name: 'bolt', price_cents: 7 }).execute();
        await trx.updateTable('widget').set({ price_cents: 99 }).where('id', '=', 1).execute();
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    const rows = await db.selectFrom('widget').select(['id', 'price_cents']).execute();
    expect(rows.map((r) => [r.id, Number(r.price_cents)])).toEqual([[1, 5]]);
  });

  it('enforces the unique constraint', async () => {
    await migrateToLatest(db as Kysely<unknown>, migrations);
    await db.insertInto('widget').values({ id: 1, name: 'nut', price_cents: 5 }).execute();
    await expect(
      db.insertInto('widget').values({ id: 2, name: 'nut', price_cents: 6 }).execute(),
    ).rejects.toThrow(/unique/i);
  });

  it('names the migration that failed', async () => {
    const broken = {
      ...migrations,
      '0003-broken': { up: (d: Kysely<unknown>) => sql`create tabel nope`.execute(d).then(() => undefined) },
    };
    await expect(migrateToLatest(db as Kysely<unknown>, broken)).rejects.toThrow(MigrationFailedError);
    await expect(migrateToLatest(db as Kysely<unknown>, broken)).rejects.toThrow(/0003-broken/);
  });
});

describe('database failures', () => {
  it('a Postgres that does not answer fails within the connect timeout', async () => {
    const { db } = createDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
    const started = Date.now();
    await expect(sql`select 1`.execute(db)).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
    await db.destroy();
  });
});
