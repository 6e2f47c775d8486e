import { CodedError } from '@shop/util';

/** Codes of the cache's errors (`err.code`). */
export type CacheErrorCode =
  | 'E_ENTRY_TOO_LARGE'
  | 'E_INVALID_KEY'
  /** An invalidating write (`set`, `delete`) could not change L2; other instances may serve the old value. */
  | 'E_L2_UNAVAILABLE'
  | 'E_LOADER_TIMEOUT'
  | 'E_NO_TTL'
  /** `deleteByPattern`/`deleteByPrefix` could not finish in L2 (L1 was still dropped everywhere). */
  | 'E_PATTERN_DELETE_FAILED';

/** An error of the cache: `code` says which, the message what and where. */
export class CacheError extends CodedError<CacheErrorCode> {}
