import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Pool } from 'pg';
import type { DatabaseOptions } from './database-options';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url';

export interface Database<DB> {
  db: Kysely<DB>;
  dialect: DatabaseTarget['dialect'];
}

/**
 * Opens a Kysely instance for a URL. SQLite runs in WAL mode with a busy timeout so several processes
 * (two instances of a service on one machine) can share the file; Postgres gets a bounded pool and a
 * statement timeout so a stuck database fails a request instead of hanging it.
 */
export function createDatabase<DB>(
  options: Pick<DatabaseOptions, 'url' | 'poolSize' | 'statementTimeoutMs' | 'connectTimeoutMs'>,
): Database<DB> {
  const target = parseDatabaseUrl(options.url);
  const statementTimeoutMs = options.statementTimeoutMs ?? 5000;
  if (target.dialect === 'sqlite') {
    const file = target.file === ':memory:' ? ':memory:' : resolve(target.file);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const connection = inThisRealm(() => new Sqlite(file, { timeout: statementTimeoutMs }));
    inThisRealm(() => {
      connection.pragma('journal_mode = WAL');
      connection.pragma('synchronous = NORMAL');
      connection.pragma('foreign_keys = ON');
    });
    return {
      db: new Kysely<DB>({ dialect: new SqliteDialect({ database: realmSafe(connection) }) }),
      dialect: 'sqlite',
    };
  }
  const pool = new Pool({
    connectionString: target.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
  });
  // An idle client losing its server emits on the pool; without a listener that would crash the process.
  pool.on('error', () => undefined);
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
}

/**
 * better-sqlite3 hands its error class to the native addon once per process (`addon.isInitialized`), and a
 * native addon is loaded once per process. Where several realms load better-sqlite3 in one process (every
 * Jest test file is its own realm, and a Jest worker runs many files), the errors raised for the second
 * realm on are `SqliteError`s of the first: not `instanceof Error` here, so `rejects.toThrow()` reports a
 * UNIQUE violation as "did not throw" and `err instanceof Error` checks take the wrong branch. Every call
 * into the driver therefore rethrows such an error as this realm's `SqliteError` (same message, code and
 * stack). In a plain process there is one realm and nothing is converted.
 */
function inThisRealm<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw toThisRealm(err);
  }
}

function toThisRealm(err: unknown): unknown {
  if (err instanceof Error || typeof err !== 'object' || err === null) return err;
  const { message, code, stack } = err as { message?: unknown; code?: unknown; stack?: unknown };
  if (typeof message !== 'string' || typeof code !== 'string') return err;
  const copy = new Sqlite.SqliteError(message, code);
  if (typeof stack === 'string') copy.stack = stack;
  return copy;
}

function realmSafe(connection: Sqlite.Database): SqliteDatabase {
  return {
    close: () => inThisRealm(() => connection.close()),
    prepare: (query) => {
      const statement = inThisRealm(() => connection.prepare(query));
      return {
        reader: statement.reader,
        all: (parameters) => inThisRealm(() => statement.all(parameters)),
        run: (parameters) => inThisRealm(() => statement.run(parameters)),
        iterate: (parameters) => {
          const rows = inThisRealm(() => statement.iterate(parameters));
          return {
            next: () => inThisRealm(() => rows.next()),
            return: (value?: unknown) => inThisRealm(() => rows.return?.(value) ?? { done: true, value }),
            [Symbol.iterator]() {
              return this;
            },
          };
        },
      };
    },
  };
}
