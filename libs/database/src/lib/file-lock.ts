import { closeSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';

/**
 * A cross-process lock as an exclusively created file, for SQLite migrations: Kysely's SQLite migration
 * lock is a no-op and SQLite DDL is not run in a transaction there, so two instances starting at once
 * must be serialized by us. A lock older than `staleMs` (its holder died) is broken.
 */
export async function withFileLock<T>(
  path: string,
  work: () => Promise<T>,
  { timeoutMs = 30_000, staleMs = 60_000 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(path).mtimeMs > staleMs) unlinkSync(path);
      } catch {
        // Released meanwhile.
      }
      if (Date.now() > deadline)
        throw new Error(`could not take the migration lock ${path} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 25));
    }
  }
  try {
    return await work();
  } finally {
    closeSync(fd);
    try {
      unlinkSync(path);
    } catch {
      // Already broken as stale by another process; nothing to release.
    }
  }
}
