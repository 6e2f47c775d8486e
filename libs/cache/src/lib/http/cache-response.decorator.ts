import { SetMetadata } from '@nestjs/common';
import type { Duration } from '../cache-options';
import type { CredentialCookie } from './credential-cookies';

export interface CacheResponseOptions {
  /** How long the response is cached (also `Cache-Control: max-age`). @default the cache's ttl */
  ttl?: Duration;
  /** Tags to invalidate it with (`cache.invalidateTags`), on every instance. */
  tags?: string[];
  /**
   * Whether the response depends on the caller. `true`: cached per user (key includes the user id,
   * `Cache-Control: private`); a credentialed request whose user id is unknown bypasses the cache.
   * `false` (default): requests that carry credentials (a user, a session, an `Authorization` header
   * or a credential cookie) bypass the cache, so a personal response is never stored under a shared key.
   */
  perUser?: boolean;
  /**
   * Cookies that make a request credentialed: exact names or patterns matched against each cookie name.
   * Replaces the default list; `[]` lets cookies never count (only for apps whose cookies carry no identity).
   * @default `['connect.sid', /sess|auth|token|jwt/i]`
   */
  credentialCookies?: readonly CredentialCookie[];
}

export const CACHE_RESPONSE = Symbol('CACHE_RESPONSE');

/** Caches a GET route's JSON response; use with `HttpCacheInterceptor`. */
export const CacheResponse = (options: CacheResponseOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(CACHE_RESPONSE, options);
