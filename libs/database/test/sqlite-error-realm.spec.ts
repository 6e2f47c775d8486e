import { createTestDatabase, type TestDatabase } from '@shop/testing';
import Sqlite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { createDatabase } from '../src';

/**
 * The native addon of better-sqlite3 is loaded once per process, and better-sqlite3 gives it its error
 * class only the first time a database is opened. A Jest worker runs many test files, each in its own
 * realm: from the second file on that opens SQLite, constraint errors were `SqliteError`s of the first
 * file's realm, not `instanceof Error` in this one, and `rejects.toThrow(/unique/i)` reported "did not
 * throw" (the quarantined unique-constraint case, red only when a messaging suite ran first in its
 * worker). Here the first file is played by better-sqlite3's own error class evaluated in a new realm.
 */
interface Addon {
  setErrorConstructor(constructor: unknown): void;
  isInitialized?: boolean;
}

const requireHere = createRequire(__filename);
const addon = requireHere(requireHere.resolve('better-sqlite3/build/Release/better_sqlite3.node')) as Addon;

function sqliteErrorOfAnotherRealm(): unknown {
  const module = { exports: {} as unknown };
  runInNewContext(readFileSync(requireHere.resolve('better-sqlite3/lib/sqlite-error.js'), 'utf8'), {
    module,
  });
  return module.exports;
}

describe('SQLite errors when another realm initialized better-sqlite3 first (a Jest worker)', () => {
  let target: TestDatabase;
  let db: Kysely<{ widget: { id: number; name: string } }>;

  beforeEach(async () => {
    target = await createTestDatabase('sqlite');
    db = createDatabase<{ widget: { id: number; name: string } }>({ url: target.url }).db;
    await sql`create table widget (id integer primary key, name text not null unique)`.execute(db);
    addon.setErrorConstructor(sqliteErrorOfAnotherRealm());
    addon.isInitialized = true;
  });

  afterEach(async () => {
    addon.setErrorConstructor(Sqlite.SqliteError);
    await db.destroy();
    await target.dispose();
  });

  it('the addon really raises the foreign class (the precondition of this test)', () => {
    const raw = new Sqlite(':memory:');
    try {
      let thrown: unknown;
      try {
        raw.prepare('select * from nowhere');
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ code: 'SQLITE_ERROR' });
      expect(thrown instanceof Error).toBe(false);
    } finally {
      raw.close();
    }
  });

  it('a duplicate insert rejects with an Error of this realm naming the unique constraint', async () => {
    await db.insertInto('widget').values({ id: 1, name: 'nut' }).execute();
    const insert = db.insertInto('widget').values({ id: 2, name: 'nut' }).execute();
    await expect(insert).rejects.toThrow(/UNIQUE constraint failed: widget\.name/);
    await expect(insert).rejects.toBeInstanceOf(Sqlite.SqliteError);
    await expect(insert).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
  });

  it('so do errors from preparing and inside a transaction; streamed queries still stream', async () => {
    await expect(sql`select * from nowhere`.execute(db)).rejects.toThrow(/no such table: nowhere/);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('widget').values({ id: 1, name: 'nut' }).execute();
        await trx.insertInto('widget').values({ id: 2, name: 'nut' }).execute();
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(await db.selectFrom('widget').selectAll().execute()).toEqual([]);
    await db.insertInto('widget').values({ id: 1, name: 'nut' }).execute();
    const rows: unknown[] = [];
    for await (const row of db.selectFrom('widget').selectAll().stream()) rows.push(row);
    expect(rows).toEqual([{ id: 1, name: 'nut' }]);
  });
});
