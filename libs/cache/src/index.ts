export { Cache, type EntryOptions, type LoadOptions } from './lib/cache';
export {
  resolveCacheOptions,
  toMs,
  type CacheOptions,
  type Duration,
  type ResolvedCacheOptions,
} from './lib/cache-options';
export { CacheError, type CacheErrorCode } from './lib/errors';
export { deserialize, serialize } from './lib/serializer/serializer';
