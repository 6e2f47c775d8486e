import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ResolvedRedisOptions } from '@shop/redis';
import type { CacheOptions } from './cache-options';
import type { HttpCacheOptions } from './http/http-cache-options';

/** `CacheModule` options: the cache options without `connections` (taken from `RedisModule`), plus `http`. */
export type CacheModuleOptions = Omit<CacheOptions, 'connections'> & {
  /** Options of the HTTP response cache (`HttpCacheInterceptor`). */
  http?: HttpCacheOptions;
};

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CACHE_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/**
 * The start-up warning when the cache shares the data Redis, or undefined. That Redis runs `noeviction`
 * and holds the streams and sessions: cache entries (HTTP responses among them, whose keys clients
 * influence) compete with them for memory, and once it is full every `XADD` fails.
 */
export function sharedRedisWarning(
  redis: Pick<ResolvedRedisOptions, 'url' | 'cacheUrl'>,
): string | undefined {
  if (redis.cacheUrl !== redis.url) return undefined;
  return (
    'the cache Redis is the data Redis (REDIS_CACHE_URL unset or equal to REDIS_URL): cache entries ' +
    'share its memory with streams and sessions, and under noeviction a full Redis fails every XADD; ' +
    'point REDIS_CACHE_URL at a separate Redis with an allkeys-lru policy in production'
  );
}
