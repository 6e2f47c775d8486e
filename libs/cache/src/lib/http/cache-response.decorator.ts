import { SetMetadata } from '@nestjs/common';
import type { Duration } from '../cache-options';
import type { CredentialCookie } from './credential-cookies';
import type { IdentifyRequest } from './request-identity';

export interface CacheResponseOptions {
  /** How long the response is cached (also `Cache-Control: max-age`). @default the cache's ttl */
  ttl?: Duration;
  /**
   * How long after `ttl` the response may still be served as `STALE` when the handler fails. HTTP entries
   * get none unless the route asks (the cache-wide `grace` does not apply). @default 0
   */
  grace?: Duration;
  /** Tags to invalidate it with (`cache.invalidateTags`), on every instance. */
  tags?: string[];
  /**
   * Query parameters that form the key (sorted by name). A request with any other parameter (except the
   * module's `ignoreQuery` tracking parameters) bypasses the cache, so a client cannot create keys with
   * junk parameters and the key never misses a parameter the handler read. @default [] (no query)
   */
  query?: readonly string[];
  /** Distinct keys this route may hold per process; a request for a new key beyond it bypasses. @default module `http.maxKeysPerRoute` (1000) */
  maxKeys?: number;
  /**
   * Whether the response depends on the caller. `true`: cached per user (key includes the id from
   * `identify`, `Cache-Control: private`); a request that carries a user or a credential but yields no id
   * bypasses. `false` (default): any request with a user (`req.user`), an `Authorization` header or a
   * cookie outside the allow-list bypasses, so a personal response is never stored under a shared key.
   */
  perUser?: boolean;
  /** Reads the caller's id for this route. @default module `http.identify` */
  identify?: IdentifyRequest;
  /** Cookies this route's handler never reads, added to the module's `http.allowCookies`. */
  allowCookies?: readonly CredentialCookie[];
  /** Cookies that count as credentials even when allow-listed. @default module `http.credentialCookies` */
  credentialCookies?: readonly CredentialCookie[];
  /**
   * Custom response headers the handler sets that a HIT replays, added to the standard ones
   * (`Content-Type`, `Content-Language`, `Content-Disposition`, `Content-Location`, `Cache-Control`,
   * `Expires`, `Last-Modified`, `Link`). `Set-Cookie` is never stored.
   */
  headers?: readonly string[];
}

export const CACHE_RESPONSE = Symbol('CACHE_RESPONSE');

/** Caches a GET route's response; use with `HttpCacheInterceptor`. */
export const CacheResponse = (options: CacheResponseOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(CACHE_RESPONSE, options);
