export { Cache, type CacheSource, type EntryOptions, type LoadOptions } from './lib/cache';
export {
  resolveCacheOptions,
  toMs,
  type CacheOptions,
  type Duration,
  type ResolvedCacheOptions,
} from './lib/cache-options';
export { CacheError, type CacheErrorCode } from './lib/errors';
export { deserialize, serialize } from './lib/serializer/serializer';
export { CacheModule } from './lib/cache.module';
export { CACHE_MODULE_OPTIONS, type CacheModuleOptions } from './lib/cache.module-definition';
export { CacheResponse, type CacheResponseOptions } from './lib/http/cache-response.decorator';
export { HttpCacheInterceptor } from './lib/http/http-cache.interceptor';
export { DEFAULT_CREDENTIAL_COOKIES, type CredentialCookie } from './lib/http/credential-cookies';
export {
  WriteBehindFullError,
  WriteBehindQueue,
  type WriteBehindItem,
  type WriteBehindOptions,
  type WriteBehindStats,
} from './lib/write-behind/write-behind-queue';
export { Cacheable, CacheEvict, CachePut, type HasCache } from './lib/cache.decorators';
