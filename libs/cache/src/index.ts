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
export {
  CACHE_MODULE_OPTIONS,
  sharedRedisWarning,
  type CacheModuleOptions,
} from './lib/cache.module-definition';
export { CacheResponse, type CacheResponseOptions } from './lib/http/cache-response.decorator';
export { HttpCacheInterceptor } from './lib/http/http-cache.interceptor';
export {
  HttpFastPath,
  type CachedHttpResponse,
  type FastPathHit,
  type FastPathRoute,
} from './lib/http/http-fast-path';
export {
  DEFAULT_ALLOWED_COOKIES,
  DEFAULT_CREDENTIAL_COOKIES,
  type CredentialCookie,
} from './lib/http/credential-cookies';
export {
  HTTP_CACHE_DEFAULTS,
  HTTP_CACHE_OPTIONS,
  resolveHttpCacheOptions,
  type HttpCacheOptions,
  type ResolvedHttpCacheOptions,
} from './lib/http/http-cache-options';
export { defaultIdentify, type IdentifyRequest } from './lib/http/request-identity';
export { type VariantOf } from './lib/http/variant-label';
export { DEFAULT_REPLAYED_HEADERS } from './lib/http/replayed-headers';
export {
  WriteBehindConflictError,
  WriteBehindFullError,
  WriteBehindQueue,
  type WriteBehindCurrent,
  type WriteBehindItem,
  type WriteBehindOptions,
  type WriteBehindStats,
} from './lib/write-behind/write-behind-queue';
export { Cacheable, CacheEvict, CachePut, type HasCache } from './lib/cache.decorators';
