import type { Migration } from 'kysely';

/** Options of `DatabaseModule` and `createDatabase`. Durations are milliseconds. */
export interface DatabaseOptions {
  /** `sqlite:./data/orders.sqlite` (embedded default) or `postgres://...`. */
  url: string;
  /** Migrations by name, applied in name order at start. Name them `0001-create-orders` etc. */
  migrations: Record<string, Migration>;
  /** Table that records applied migrations; one per service when services share a database. @default 'kysely_migration' */
  migrationTable?: string;
  /** Postgres pool size per process. @default 10 */
  poolSize?: number;
  /** Longest a statement may run (Postgres `statement_timeout`; SQLite busy timeout). @default 5000 */
  statementTimeoutMs?: number;
  /** Longest wait for a pooled Postgres connection. @default 2000 */
  connectTimeoutMs?: number;
}
