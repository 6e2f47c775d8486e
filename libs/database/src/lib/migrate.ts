import { Migrator, type Kysely, type Migration } from 'kysely';

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
 * instances at once. On Postgres Kysely holds an advisory lock. On SQLite its lock is a no-op and two
 * processes can both see a migration as pending; each runs in a transaction, so the loser rolls back and
 * a retry finds it applied. A migration that is really broken fails the same way on every attempt.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Record<string, Migration>,
  migrationTable = 'kysely_migration',
  attempts = 3,
): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, migrations, migrationTable);
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 50));
    }
  }
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
