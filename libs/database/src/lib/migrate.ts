import {
  Migrator,
  PostgresAdapter,
  sql,
  type DatabaseIntrospector,
  type Kysely,
  type Migration,
  type TableMetadata,
} from 'kysely';
import { CodedError } from '@shop/util';
import { withFileLock } from './file-lock';

/** Thrown when a migration fails; names the migration and keeps the database error as `cause`. */
export class MigrationFailedError extends CodedError<'E_MIGRATION_FAILED'> {
  constructor(migration: string | undefined, cause: unknown) {
    super(
      'E_MIGRATION_FAILED',
      `migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * Applies pending migrations in name order and returns the names applied. Safe to run from several
 * instances at once: on Postgres Kysely holds an advisory lock; on SQLite (where Kysely's lock is a no-op
 * and DDL is not transactional) pass `lockFile` and the instances take turns through it.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  migrationTable = 'kysely_migration',
  options: { lockFile?: string } = {},
): Promise<string[]> {
  const run = () => migrateOnce(db, migrations, migrationTable);
  return options.lockFile ? withFileLock(options.lockFile, run) : run();
}

async function migrateOnce(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  migrationTable: string,
): Promise<string[]> {
  const schema = await postgresSchema(db);
  const migrator = new Migrator({
    db: schema ? withSchemaIntrospection(db, schema) : db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: migrationTable,
    migrationLockTableName: `${migrationTable}_lock`,
    migrationTableSchema: schema,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, error);
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * On Postgres, the schema the connection creates tables in (the first of its `search_path`). Kysely looks
 * for its migration tables among the tables of every schema of the database unless told the schema: with a
 * `kysely_migration` in another schema (another service's, another test case's) it skipped creating its own
 * and failed with `relation "kysely_migration" does not exist`.
 */
async function postgresSchema(db: Kysely<unknown>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/**
 * `db` whose introspection sees only `schema`. The Migrator asks Kysely's introspector for every table
 * of the database to learn whether its own two tables exist, and that query resolves each schema by
 * name again (`has_schema_privilege`, `pg_get_serial_sequence`): a schema dropped meanwhile by another
 * service or test case failed this migration with `schema "<theirs>" does not exist`. Reading only our
 * schema's relations by OID keeps a migration independent of the rest of the database.
 */
function withSchemaIntrospection(db: Kysely<unknown>, schema: string): Kysely<unknown> {
  const own = db.introspection;
  const introspection: DatabaseIntrospector = {
    getSchemas: () => own.getSchemas(),
    getMetadata: () => own.getMetadata(),
    async getTables(): Promise<TableMetadata[]> {
      const { rows } = await sql<{ name: string; kind: string }>`
        select c.relname as name, c.relkind as kind
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm')`.execute(db);
      return rows.map((r) => ({
        name: r.name,
        schema,
        isView: r.kind === 'v' || r.kind === 'm',
        columns: [],
      }));
    },
  };
  // Kysely keeps its state in private fields: forward every other member to the real instance.
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
