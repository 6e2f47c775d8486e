import { Inject } from '@nestjs/common';

/** The shared request-path client of the data/bus Redis (`REDIS_URL`). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
/** The shared request-path client of the cache Redis (`REDIS_CACHE_URL`, same connection when equal). */
export const REDIS_CACHE_CLIENT = Symbol('REDIS_CACHE_CLIENT');

/** Injects a shared request-path client: `@InjectRedis() redis: RedisClient`, `@InjectRedis('cache')`. */
export function InjectRedis(role: 'data' | 'cache' = 'data'): ParameterDecorator & PropertyDecorator {
  return Inject(role === 'cache' ? REDIS_CACHE_CLIENT : REDIS_CLIENT);
}
