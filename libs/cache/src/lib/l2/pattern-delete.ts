import type { RedisClient } from '@shop/redis';
import { CacheError } from '../errors';
import type { LocalInvalidation } from '../invalidation/local-invalidation';
import { compileGlob } from '../keys/glob-match';
import { scanDelete } from './scan-delete';

/**
 * `deleteByPattern`: validates the glob, deletes the matching L2 keys (`scanDelete`), then drops the
 * matches from this instance's L1 and tells every other instance to do the same. The L1 drop and the
 * publish happen even when L2 could not be cleaned (an invalidation is never skipped silently); the
 * caller learns of the L2 failure from `E_PATTERN_DELETE_FAILED` afterwards.
 */
export async function patternDelete(
  client: () => RedisClient,
  base: string,
  pattern: string,
  local: LocalInvalidation,
): Promise<number> {
  if (!compileGlob(pattern))
    throw new CacheError(
      'E_INVALID_KEY',
      `invalid pattern "${String(pattern).slice(0, 80)}" (1-512 of [A-Za-z0-9_.:/=&%@+,;-], * and ?)`,
    );
  let deleted = 0;
  let failure: Error | undefined;
  try {
    // Attempted even while the breaker is open: an invalidation is never skipped silently.
    deleted = await scanDelete(client(), `${base}:{${pattern}}`);
  } catch (err) {
    failure = err as Error;
  }
  local.deleteLocalPattern(pattern);
  await local.publish({ p: pattern });
  if (failure)
    throw new CacheError(
      'E_PATTERN_DELETE_FAILED',
      `deleting "${pattern}" in L2 did not finish: ${failure.message}`,
    );
  return deleted;
}
