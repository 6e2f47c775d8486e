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

interface CachedResponse {
  body: unknown;
  etag: string;
  /** Allow-listed headers the handler set, replayed on a HIT. */
  headers?: StoredHeaders;
  /** When the handler produced it (ms), for `Age`. */
  storedAt?: number;
}

/** A request the cache must not answer from or store under a key, and why. */
type Decision = { bypass: string } | { key: string; perUser: boolean };

/** The loaded response may not be stored (handler-set `Set-Cookie`, `no-store`, `private` on a shared route). */
class NotStorable extends Error {
  constructor(readonly body: unknown) {
    super('response not storable');
  }
}

/**
 * HTTP response cache for GET routes marked `@CacheResponse()`.
 * - Key: the route the router matched with its decoded params, the allow-listed query (sorted) and, for
 *   `perUser` routes, the caller's id; a raw path that normalises differently bypasses (poisoning).
 * - Never under a shared key: a request with a user, an `Authorization` header or a cookie outside the
 *   allow-list; a per-user route bypasses such a request when it yields no id.
 * - ETag + `If-None-Match` (weak list comparison) -> 304, `Cache-Control`, `Age`, `Vary`, handler-set
 *   headers replayed, `X-Cache: HIT | MISS | STALE | BYPASS`.
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
    addVary(res, this.vary); // on every answer of the route, bypassed ones and 304s included (RFC 9110 §15.4.5)
    const ttlMs = toMs(options.ttl ?? this.cache.options.ttlMs, 'ttl');
    const graceMs = toMs(options.grace ?? 0, 'grace');
    const decision = this.decide(context, req, options, ttlMs, graceMs);
    if ('bypass' in decision) {
      res.setHeader('X-Cache', 'BYPASS');
      return next.handle();
    }
    return from(this.respond(decision, ttlMs, graceMs, options, req, res, next));
  }

  private decide(
    context: ExecutionContext,
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
    if (perUser) {
      user = this.identify(req, options) ?? null;
      if (user === null && credentialed) return { bypass: 'unidentified' };
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
    });
    if ('bypass' in key) return key;
    const routeId = `${context.getClass().name}.${context.getHandler().name}`;
    const lifetimeMs = ttlMs * (1 + this.cache.options.jitter) + graceMs;
    if (!this.budget.admit(routeId, key.key, options.maxKeys ?? this.http.maxKeysPerRoute, lifetimeMs))
      return { bypass: 'key-budget' };
    return { key: key.key, perUser };
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
    decision: { key: string; perUser: boolean },
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
    let cached: CachedResponse;
    try {
      cached = await this.cache.getOrSet<CachedResponse>(
        decision.key,
        async () => {
          ranHere = true;
          const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
          const changed = changedHeaders(before, res.getHeaders());
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
        { ttl: ttlMs, grace: graceMs, tags: options.tags, onSource: (s) => (source = s) },
      );
    } catch (err) {
      if (!(err instanceof NotStorable)) throw err;
      res.setHeader('X-Cache', 'BYPASS');
      // A request that joined another request's load has not run its own handler (nor got its headers).
      return ranHere ? err.body : lastValueFrom(next.handle(), { defaultValue: undefined });
    }
    // The handler ran for this request and set them itself, unless a stale value answered it instead.
    if (!ranHere || source !== 'miss')
      for (const [name, value] of Object.entries(cached.headers ?? {})) res.setHeader(name, value);
    res.setHeader('X-Cache', source.toUpperCase()); // HIT | MISS | STALE
    res.setHeader('ETag', cached.etag);
    if (source !== 'miss' && cached.storedAt !== undefined)
      res.setHeader('Age', String(Math.max(0, Math.floor((Date.now() - cached.storedAt) / 1000))));
    // A Cache-Control the handler (or `@Header()`) chose wins over the route's default.
    if (!res.hasHeader('Cache-Control'))
      res.setHeader(
        'Cache-Control',
        `${decision.perUser ? 'private' : 'public'}, max-age=${Math.floor(ttlMs / 1000)}`,
      );
    if (ifNoneMatchMatches(req.headers['if-none-match'], cached.etag)) {
      res.status(304);
      return undefined;
    }
    return cached.body;
  }
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
