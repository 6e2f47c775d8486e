import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
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
    const connection = new Sqlite(file, { timeout: statementTimeoutMs });
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = NORMAL');
    connection.pragma('foreign_keys = ON');
    return {
      db: new Kysely<DB>({ dialect: new SqliteDialect({ database: connection }) }),
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
