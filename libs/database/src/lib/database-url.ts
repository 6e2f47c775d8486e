import { CodedError, redactUrl } from '@shop/util';

/** Where the data lives: an embedded SQLite file or a PostgreSQL server. */
export type DatabaseTarget =
  { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; connectionString: string };

/** Thrown for a `DATABASE_URL` that names no supported database. */
export class InvalidDatabaseUrlError extends CodedError<'E_INVALID_DATABASE_URL'> {
  constructor(url: string, reason: string) {
    super('E_INVALID_DATABASE_URL', `invalid database URL "${redactUrl(url, ['password'])}": ${reason}`);
  }
}

/**
 * Accepts `sqlite:<path>` (relative to the working directory), `sqlite::memory:`, `file:<path>` and
 * `postgres://` / `postgresql://` URLs (all libpq parameters pass through to `pg`).
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const trimmed = url.trim();
  const sqlite = /^(?:sqlite|file):(?:\/\/)?(.+)$/i.exec(trimmed);
  if (sqlite) return { dialect: 'sqlite', file: sqlite[1] };
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    try {
      const parsed = new URL(trimmed);
      if (!parsed.hostname && !parsed.searchParams.get('host')) throw new Error('no host');
    } catch (err) {
      throw new InvalidDatabaseUrlError(url, (err as Error).message);
    }
    return { dialect: 'postgres', connectionString: trimmed };
  }
  throw new InvalidDatabaseUrlError(url, 'expected sqlite:<path> or postgres://user@host:port/db');
}
