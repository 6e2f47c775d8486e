import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export interface TestDatabase {
  dialect: Dialect;
  /** A `DATABASE_URL` for the service/lib under test: `sqlite:<file>` or `postgres://...` bound to a fresh schema. */
  url: string;
  /** Drops the schema (Postgres) or deletes the file (SQLite). */
  dispose(): Promise<void>;
}

/** Why Postgres cases are skipped, or undefined when `TEST_DATABASE_URL` is set. */
export function postgresSkipReason(): string | undefined {
  return process.env['TEST_DATABASE_URL']
    ? undefined
    : 'TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test); PostgreSQL cases skipped';
}

/** The dialects this run can test: SQLite always, Postgres when `TEST_DATABASE_URL` is set. */
export function testDialects(): Dialect[] {
  return postgresSkipReason() ? ['sqlite'] : ['sqlite', 'postgres'];
}

/**
 * `describe` once per dialect. Without `TEST_DATABASE_URL` the Postgres block is registered as skipped
 * (Jest reports its tests as skipped) and the reason is printed, so it is never silently passed.
 */
export function describeEachDialect(name: string, body: (dialect: Dialect) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const reason = dialect === 'postgres' ? postgresSkipReason() : undefined;
    if (reason) {
      describe.skip(`${name} [postgres: skipped, ${reason}]`, () => body(dialect));
    } else {
      describe(`${name} [${dialect}]`, () => body(dialect));
    }
  }
}

/** A fresh, empty database: a temporary SQLite file, or a new schema in `TEST_DATABASE_URL`. */
export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'test-sqlite-'));
    return {
      dialect,
      url: `sqlite:${join(dir, 'test.sqlite')}`,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = process.env['TEST_DATABASE_URL'];
  if (!base) throw new Error(postgresSkipReason());
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withClient(base, (c) => c.query(`CREATE SCHEMA "${schema}"`));
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    dialect,
    url: url.toString(),
    dispose: () =>
      withClient(base, (c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
