import {
  Inject,
  Injectable,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { Cache } from '../cache';
import { toMs } from '../cache-options';
import { CACHE_RESPONSE, type CacheResponseOptions } from './cache-response.decorator';
import { isCanonicalPath } from './canonical-path';
import { carriesCredentialCookie } from './credential-cookies';
import {
  HTTP_CACHE_OPTIONS,
  resolveHttpCacheOptions,
  type ResolvedHttpCacheOptions,
} from './http-cache-options';
import { ageOf, HttpFastPath, type CachedHttpResponse } from './http-fast-path';
import { ifNoneMatchMatches } from './if-none-match';
import { KeyBudget } from './key-budget';
import {
  changedHeaders,
  notStorableReason,
  replayable,
  replayedHeaderSet,
  varyFields,
  type StoredHeaders,
} from './replayed-headers';
import { carriesUser, identityOf } from './request-identity';
import { responseKey } from './response-key';
import { checkRouteOptions } from './route-options-check';
import { variantLabel } from './variant-label';

/**
 * A request the cache must not answer from or store under a key, and why; or its key. `shareable`: the
 * request carried no credential and the route is shared, so the default `Cache-Control` may say `public`.
 */
type Decision = { bypass: string } | Keyed;
/** `bare`: no cookie, credential header or user at all (what `HttpFastPath` may answer alike). */
type Keyed = { key: string; perUser: boolean; shareable: boolean; bare: boolean };

/** The loaded response may not be stored (handler-set `Set-Cookie`, `no-store`, `private` on a shared route). */
class NotStorable extends Error {
  constructor(readonly body: unknown) {
    super('response not storable');
  }
}

/**
 * HTTP response cache for GET routes marked `@CacheResponse()`.
 * - Key: the route the router matched with its decoded params, the allow-listed query (sorted) and, for
 *   `perUser` routes, the caller's id, for `variant` routes the caller's label; a raw path that
 *   normalises differently bypasses (poisoning).
 * - Never under a shared key: a request with a user, an `Authorization` header or a cookie outside the
 *   allow-list (unless the route's `variant` places it); a per-user route bypasses such a request when it
 *   yields no id.
 * - ETag + `If-None-Match` (weak list comparison) -> 304, `Cache-Control` (the route's `cacheControl`
 *   or a default), `Age`, `Vary`, handler-set headers replayed, `X-Cache: HIT | MISS | STALE | BYPASS`.
 * Misses go through `getOrSet`, so N concurrent requests for a cold route run the handler once (per
 * instance and, with the lease, across instances). Invalidation is the tag API, hence cluster-wide.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  private readonly budget = new KeyBudget();
  private readonly http: ResolvedHttpCacheOptions;
  /**
   * The credentials a shared entry must not be served to, hence what every answer varies on (RFC 9111
   * §4.1): a request with any of them gets its own, bypassed, response. The key varies on nothing else
   * outside the URL (path, allow-listed query); `Accept-Encoding` is not listed since the stored body is
   * the uncompressed one (a compression middleware adds that itself).
   */
  private readonly vary: readonly string[];

  constructor(
    @Inject(Cache) private readonly cache: Cache,
    private readonly reflector: Reflector,
    @Optional() @Inject(HTTP_CACHE_OPTIONS) http?: ResolvedHttpCacheOptions,
    @Optional() private readonly fastPath?: HttpFastPath,
  ) {
    this.http = http ?? resolveHttpCacheOptions();
    this.vary = [...this.http.credentialHeaders, 'cookie'];
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.getAllAndOverride<CacheResponseOptions | undefined>(CACHE_RESPONSE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    if (!options || req.method !== 'GET') return next.handle();
    const routeId = `${context.getClass().name}.${context.getHandler().name}`;
    checkRouteOptions(options, routeId);
    addVary(res, this.vary); // on every answer of the route, bypassed ones and 304s included (RFC 9110 §15.4.5)
    const ttlMs = toMs(options.ttl ?? this.cache.options.ttlMs, 'ttl');
    const graceMs = toMs(options.grace ?? 0, 'grace');
    const decision = this.decide(routeId, req, options, ttlMs, graceMs);
    if ('bypass' in decision) {
      res.setHeader('X-Cache', 'BYPASS');
      routeCacheControl(res, options); // before the handler runs, so a Cache-Control of its own still wins
      return next.handle();
    }
    return from(this.respond(decision, ttlMs, graceMs, options, req, res, next));
  }

  private decide(
    routeId: string,
    req: Request,
    options: CacheResponseOptions,
    ttlMs: number,
    graceMs: number,
  ): Decision {
    const rawPath = req.originalUrl.split('?', 1)[0] as string;
    if (!isCanonicalPath(rawPath)) return { bypass: 'path' };
    const credentialed =
      carriesUser(req) ||
      this.http.credentialHeaders.some((name) => req.headers[name] !== undefined) ||
      carriesCredentialCookie(
        req.headers.cookie,
        [...this.http.allowCookies, ...(options.allowCookies ?? [])],
        options.credentialCookies ?? this.http.credentialCookies,
      );
    const perUser = options.perUser === true;
    let user: string | null | undefined;
    let variant: string | undefined;
    if (perUser) {
      user = this.identify(req, options) ?? null;
      if (user === null && credentialed) return { bypass: 'unidentified' };
    } else if (options.variant) {
      // The route asserts its handler reads nothing of the caller but what the label names. A caller the
      // function cannot place (it threw, or gave no usable label) bypasses: fail closed, since the plain
      // key (or another label's) holds what a different caller got.
      const placed = variantLabel(options.variant, req);
      if (placed.kind === 'unusable' || (placed.kind === 'none' && credentialed))
        return { bypass: 'variant' };
      if (placed.kind === 'label') variant = placed.label;
    } else if (credentialed) return { bypass: 'credentials' };
    // What the router matched: Express' route pattern and its decoded params (Nest registers full paths);
    // without a route object (another adapter), the raw path, which is canonical at this point.
    const route = (req as Request & { route?: { path?: unknown } }).route?.path;
    const key = responseKey({
      route: typeof route === 'string' ? `${req.baseUrl ?? ''}${route}` : rawPath,
      params: typeof route === 'string' ? (req.params as Record<string, unknown>) : undefined,
      query: (req.query ?? {}) as Record<string, unknown>,
      keyQuery: options.query ?? [],
      ignoreQuery: this.http.ignoreQuery,
      user,
      variant,
    });
    if ('bypass' in key) return key;
    const lifetimeMs = ttlMs * (1 + this.cache.options.jitter) + graceMs;
    if (!this.budget.admit(routeId, key.key, options.maxKeys ?? this.http.maxKeysPerRoute, lifetimeMs))
      return { bypass: 'key-budget' };
    // An answer computed for a credentialed caller (a variant's) is never marked `public` by default: a
    // downstream cache that ignores `Vary` must not hand it to anyone else.
    return {
      key: key.key,
      perUser,
      shareable: !perUser && !credentialed,
      bare: !perUser && !credentialed && this.fastPath?.isBare(req) === true,
    };
  }

  /** The caller's id, or undefined when the extractor yields none (or fails: fail closed). */
  private identify(req: Request, options: CacheResponseOptions): string | undefined {
    try {
      return identityOf((options.identify ?? this.http.identify)(req));
    } catch {
      return undefined;
    }
  }

  private async respond(
    decision: Keyed,
    ttlMs: number,
    graceMs: number,
    options: CacheResponseOptions,
    req: Request,
    res: Response,
    next: CallHandler,
  ): Promise<unknown> {
    let source = 'hit';
    let ranHere = false;
    const before = res.getHeaders();
    // The cache's own headers on this answer. A load still running once the request was answered (STALE
    // after `softTimeout`, refresh-ahead after a HIT) finds them on `res`: they are not the handler's, so
    // they are neither stored nor judged (a route's `cacheControl: 'no-cache'` would otherwise make the
    // refreshed response unstorable, and be replayed as the handler's own). Replayed headers are not
    // listed: they are a handler's, and the running one may well set the same again.
    const own: StoredHeaders = {};
    const answer = (name: string, value: string | string[]) => {
      own[name.toLowerCase()] = value;
      res.setHeader(name, value);
    };
    let cached: CachedHttpResponse;
    try {
      cached = await this.cache.getOrSet<CachedHttpResponse>(
        decision.key,
        async () => {
          ranHere = true;
          const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const changed = changedHeaders({ ...before, ...own }, res.getHeaders());
          // What varied before the handler ran (ours, a CORS middleware's `Origin`) is not the handler's doing.
          const keyedVary = [...this.vary, ...varyFields(before['vary'])];
          if (notStorableReason(changed, decision.perUser, keyedVary)) throw new NotStorable(body);
          return {
            body,
            etag: `"${createHash('sha1')
              .update(JSON.stringify(body) ?? '')
              .digest('base64url')}"`,
            headers: replayable(changed, replayedHeaderSet(options.headers)),
            storedAt: Date.now(),
          };
        },
        { ttl: ttlMs, grace: graceMs, tags: routeTags(options, req), onSource: (s) => (source = s) },
      );
    } catch (err) {
      if (!(err instanceof NotStorable)) throw err;
      res.setHeader('X-Cache', 'BYPASS');
      // After the handler ran for this request or before its own runs: either way a Cache-Control the
      // handler set (`no-store`) wins over the route's.
      routeCacheControl(res, options);
      // A request that joined another request's load has not run its own handler (nor got its headers).
      return ranHere ? err.body : lastValueFrom(next.handle(), { defaultValue: undefined });
    }
    // The handler ran for this request and set them itself, unless a stale value answered it instead.
    if (!ranHere || source !== 'miss')
      for (const [name, value] of Object.entries(cached.headers ?? {})) res.setHeader(name, value);
    answer('X-Cache', source.toUpperCase()); // HIT | MISS | STALE
    answer('ETag', cached.etag);
    const age = ageOf(cached);
    if (source !== 'miss' && age !== undefined) answer('Age', age);
    // A Cache-Control the handler (or `@Header()`) chose wins over the route's, and that over the default.
    const cacheControl =
      options.cacheControl ??
      `${decision.shareable ? 'public' : 'private'}, max-age=${Math.floor(ttlMs / 1000)}`;
    if (!res.hasHeader('Cache-Control')) answer('Cache-Control', cacheControl);
    if (options.fastPath && decision.bare && typeof cached.body === 'object' && cached.body !== null)
      this.fastPath?.remember(req.originalUrl, {
        key: decision.key,
        route: routePattern(req),
        cacheControl,
        vary: String(res.getHeader('Vary')),
      });
    if (ifNoneMatchMatches(req.headers['if-none-match'], cached.etag)) {
      res.status(304);
      return undefined;
    }
    return cached.body;
  }
}

/** Express' matched pattern with its base, or the raw path when no route object is there. */
function routePattern(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route?.path;
  return typeof route === 'string'
    ? `${req.baseUrl ?? ''}${route}`
    : (req.originalUrl.split('?', 1)[0] as string);
}

/** Appends field names to `Vary` once each, keeping what others put there (and a `*`). */
function addVary(res: Response, names: readonly string[]): void {
  const current = res.getHeader('Vary');
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (list.includes('*')) return;
  for (const name of names)
    if (!list.some((n) => n.toLowerCase() === name.toLowerCase())) list.push(headerCase(name));
  res.setHeader('Vary', list.join(', '));
}

/** `x-api-key` -> `X-Api-Key`: how header names are usually written (they compare case-insensitively). */
function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** The route's tags for this request; a tag function sees the routed request (decoded params). */
function routeTags(options: CacheResponseOptions, req: Request): string[] | undefined {
  const tags = typeof options.tags === 'function' ? options.tags(req) : options.tags;
  return tags ? [...tags] : undefined;
}

/**
 * The route's `cacheControl` on an answer the cache did not make (a bypass), unless the response has one:
 * set before the handler runs, the handler's own still replaces it; set by `@Header()`, it is kept.
 */
function routeCacheControl(res: Response, options: CacheResponseOptions): void {
  if (options.cacheControl !== undefined && !res.hasHeader('Cache-Control'))
    res.setHeader('Cache-Control', options.cacheControl);
}
