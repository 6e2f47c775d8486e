import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Duration } from '../cache-options';
import type { CredentialCookie } from './credential-cookies';
import type { IdentifyRequest } from './request-identity';
import type { VariantOf } from './variant-label';

export interface CacheResponseOptions {
  /** How long the response is cached (also `Cache-Control: max-age`). @default the cache's ttl */
  ttl?: Duration;
  /**
   * How long after `ttl` the response may still be served as `STALE` when the handler fails. HTTP entries
   * get none unless the route asks (the cache-wide `grace` does not apply). @default 0
   */
  grace?: Duration;
  /**
   * Tags to invalidate it with (`cache.invalidateTags`), on every instance: a list, or a function of the
   * request (after routing, so `req.params` are decoded) for per-entity tags such as `order:<id>`.
   */
  tags?: readonly string[] | ((req: Request) => readonly string[]);
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
  /**
   * The `Cache-Control` sent to clients on every answer of the route (MISS, HIT, STALE, 304, and bypassed
   * ones unless the handler set its own), instead of the default `public|private, max-age=<ttl>`: e.g.
   * `'no-cache'` or `'max-age=0, must-revalidate'` so browsers revalidate a shared response with
   * `If-None-Match` on every use while the server answers from its cache; `'private, no-cache'` on a
   * per-user route. It is the client's directive, not the handler's: it never makes the response
   * unstorable here and is never stored or replayed as a handler header. A `Cache-Control` the handler
   * (or `@Header()`) sets still wins, with its usual meaning (`no-store` is not stored). Refused on the
   * route's first request: CR/LF (or another control character); on a `perUser` route, a value without
   * a bare `private` or `no-store` (a per-user response must never be marked shareable downstream).
   */
  cacheControl?: string;
  /**
   * For a shared route whose response depends on the caller only through a few known variants (a role):
   * the caller's label, a string of 1-32 `[A-Za-z0-9_.-]` or a finite number. Called for every request;
   * the route asserts its handler reads nothing else from the caller. A request with a credential (a
   * user, `Authorization`, a cookie outside the allow-list) is then served and stored under the shared
   * key plus `;v=<label>` instead of bypassing; an anonymous request uses its label too, or the plain
   * shared key when the function returns `null`/`undefined`. A function that throws, or returns anything
   * else (or nothing, for a credentialed request), bypasses: fail closed. Each label is a key of the
   * route (`maxKeys`). An answer to a credentialed request defaults to `Cache-Control: private, ...`.
   * Not with `perUser` (refused on the route's first request).
   *
   * @example variant: (req) => ((req as AuthRequest).user?.role === 'admin' ? 'admin' : 'public')
   */
  variant?: VariantOf;
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
  /**
   * Lets `HttpFastPath` answer this route's HITs before routing (see the README, "Pre-routing HITs"):
   * a later bare request (no cookie, no credential header) for the same raw URL is served from a fresh L1
   * entry without reaching the router. Set it only when a bare request's answer depends on nothing but
   * its URL: no `perUser`, and a `variant` function that labels every bare request alike. @default false
   */
  fastPath?: boolean;
}

export const CACHE_RESPONSE = Symbol('CACHE_RESPONSE');

/** Caches a GET route's response; use with `HttpCacheInterceptor`. */
export const CacheResponse = (options: CacheResponseOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(CACHE_RESPONSE, options);
