import { SetMetadata } from '@nestjs/common';
import type { Duration } from '../cache-options';

export interface CacheResponseOptions {
  /** How long the response is cached (also `Cache-Control: max-age`). @default the cache's ttl */
  ttl?: Duration;
  /** Tags to invalidate it with (`cache.invalidateTags`), on every instance. */
  tags?: string[];
  /**
   * Whether the response depends on the caller. `true`: cached per user (key includes the user id,
   * `Cache-Control: private`). `false` (default): requests that carry credentials (a user, a session
   * or an `Authorization` header) bypass the cache, so a personal response is never stored under a shared key.
   */
  perUser?: boolean;
}

export const CACHE_RESPONSE = Symbol('CACHE_RESPONSE');

/** Caches a GET route's JSON response; use with `HttpCacheInterceptor`. */
export const CacheResponse = (options: CacheResponseOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(CACHE_RESPONSE, options);
