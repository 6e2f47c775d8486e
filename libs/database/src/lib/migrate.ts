import { Migrator, type Kysely, type Migration } from 'kysely';
import { withFileLock } from './file-lock';

/** Thrown when a migration fails; names the migration and keeps the database error as `cause`. */
export class MigrationFailedError extends Error {
  readonly code = 'E_MIGRATION_FAILED';
  constructor(migration: string | undefined, cause: unknown) {
    super(
      `migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'MigrationFailedError';
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
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: migrationTable,
    migrationLockTableName: `${migrationTable}_lock`,
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, error);
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
