import {
  Inject,
  Injectable,
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
import { hasCredentialCookie } from './credential-cookies';
import { ifNoneMatchMatches } from './if-none-match';

interface CachedResponse {
  body: unknown;
  etag: string;
}

type AuthenticatedRequest = Request & {
  user?: { id?: string | number };
  session?: { userId?: string | number };
};

/**
 * HTTP response cache for GET routes marked `@CacheResponse()`: key = path + sorted query (+ user id
 * when `perUser`), ETag + `If-None-Match` (weak list comparison) -> 304, `Cache-Control`,
 * `X-Cache: HIT | MISS | STALE | BYPASS`.
 * Misses go through `getOrSet`, so N concurrent requests for a cold route run the handler once (per
 * instance and, with the lease, across instances). Invalidation is the tag API, hence cluster-wide.
 */
@Injectable()
export class HttpCacheInterceptor implements NestInterceptor {
  constructor(
    @Inject(Cache) private readonly cache: Cache,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.getAllAndOverride<CacheResponseOptions | undefined>(CACHE_RESPONSE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    if (!options || req.method !== 'GET') return next.handle();
    const userId = req.user?.id ?? req.session?.userId;
    // A session cookie alone identifies the caller even before (or without) a middleware resolving a user.
    const presentsCredentials =
      req.headers.authorization !== undefined ||
      hasCredentialCookie(req.headers.cookie, options.credentialCookies);
    const hasCredentials = userId !== undefined || presentsCredentials;
    // Shared routes bypass for callers with credentials; per-user routes need to know who the caller is.
    const unidentified = options.perUser && userId === undefined && presentsCredentials;
    if ((hasCredentials && !options.perUser) || unidentified) {
      res.setHeader('X-Cache', 'BYPASS');
      return next.handle();
    }
    const key = this.keyOf(req, options.perUser ? String(userId ?? 'anonymous') : undefined);
    if (!key) return next.handle();
    const ttlMs = toMs(options.ttl ?? this.cache.options.ttlMs, 'ttl');
    return from(this.respond(key, ttlMs, options, req, res, next));
  }

  private async respond(
    key: string,
    ttlMs: number,
    options: CacheResponseOptions,
    req: Request,
    res: Response,
    next: CallHandler,
  ): Promise<unknown> {
    let source = 'hit';
    const cached = await this.cache.getOrSet<CachedResponse>(
      key,
      async () => {
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        return {
          body,
          etag: `"${createHash('sha1')
            .update(JSON.stringify(body) ?? '')
            .digest('base64url')}"`,
        };
      },
      { ttl: ttlMs, tags: options.tags, onSource: (s) => (source = s) },
    );
    res.setHeader('X-Cache', source.toUpperCase()); // HIT | MISS | STALE
    res.setHeader('ETag', cached.etag);
    res.setHeader(
      'Cache-Control',
      `${options.perUser ? 'private' : 'public'}, max-age=${Math.floor(ttlMs / 1000)}`,
    );
    if (options.perUser) res.setHeader('Vary', 'Authorization, Cookie');
    if (ifNoneMatchMatches(req.headers['if-none-match'], cached.etag)) {
      res.status(304);
      return undefined;
    }
    return cached.body;
  }

  /** `http:<path>?<sorted query>[#u=<user>]`, or undefined when the URL cannot be a key. */
  private keyOf(req: Request, user: string | undefined): string | undefined {
    const url = new URL(req.originalUrl, 'http://x');
    const params = [...url.searchParams.entries()].sort(([a, av], [b, bv]) =>
      a === b ? av.localeCompare(bv) : a.localeCompare(b),
    );
    const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const path = url.pathname.split('/').map(encodeURIComponent).join('/');
    const key =
      `http:${path}${query ? `?${query}` : ''}${user ? `@u=${encodeURIComponent(user)}` : ''}`.replace(
        /\?/g,
        '/q/',
      );
    return /^[A-Za-z0-9_.:/=&%@+,;-]{1,512}$/.test(key) ? key : undefined;
  }
}
