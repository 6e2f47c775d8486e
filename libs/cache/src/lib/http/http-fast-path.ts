import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import { Cache } from '../cache';
import {
  HTTP_CACHE_OPTIONS,
  resolveHttpCacheOptions,
  type ResolvedHttpCacheOptions,
} from './http-cache-options';
import { ifNoneMatchMatches, parseIfNoneMatch } from './if-none-match';
import type { StoredHeaders } from './replayed-headers';

/** What `HttpCacheInterceptor` stores for a response (the value of its cache entry). */
export interface CachedHttpResponse {
  body: unknown;
  etag: string;
  /** Allow-listed headers the handler set, replayed on a HIT. */
  headers?: StoredHeaders;
  /** When the handler produced it (ms), for `Age`. */
  storedAt?: number;
}

/** `Age` of a stored response in whole seconds (RFC 9111 §5.1), or undefined when it has no timestamp. */
export function ageOf(cached: CachedHttpResponse): string | undefined {
  return cached.storedAt === undefined
    ? undefined
    : String(Math.max(0, Math.floor((Date.now() - cached.storedAt) / 1000)));
}

/** How the interceptor answered a bare request for one raw URL: enough to answer the next one alike. */
export interface FastPathRoute {
  /** The cache key the interceptor derived (matched route, decoded params, allow-listed query, variant). */
  key: string;
  /** Express' matched pattern with its base (`/api/products/:sku`), for metrics and logs. */
  route: string;
  /** The `Cache-Control` the interceptor sent when the handler set none. */
  cacheControl: string;
  /** The `Vary` it sent. */
  vary: string;
}

/** A request this process can answer from L1 right now, and what with. */
export interface FastPathHit {
  route: FastPathRoute;
  cached: CachedHttpResponse;
}

/** The JSON bytes of a body, computed once per stored response (its ETag names it). */
interface Encoded {
  etag: string;
  bytes: Buffer;
}

/**
 * Answers HITs of shared responses before routing: for an app that puts a middleware in front of its
 * router, logger and guards (see the README, "Pre-routing HITs"). The interceptor stays the authority:
 * it remembers which raw URL gave which key only for routes marked `fastPath: true` and only for a bare
 * request (no cookie, no credential header, no user), and only a later bare request for the very same
 * raw URL is answered here, from a fresh, current L1 entry (never from L2, never stale, no load), with
 * the headers the interceptor would send. Anything else — a cookie, `Authorization`, `If-Modified-Since`,
 * an unknown URL, an expired or invalidated entry — returns undefined and takes the normal path.
 *
 * A route may set `fastPath` only if a bare request's answer depends on nothing but its URL (a `variant`
 * function must give every bare request the same label): the raw URL is the whole lookup here.
 */
@Injectable()
export class HttpFastPath {
  /** Raw URLs remembered per process, least recently used dropped first: a bound on what clients can add. */
  static readonly MAX_URLS = 10_000;
  /**
   * A longer raw URL is never remembered (it takes the normal path). Ignored query parameters (`utm_*`)
   * reach the same key under any value, so without it one client could park 10k URLs of 16 kB each.
   */
  static readonly MAX_URL_LENGTH = 2048;
  /** What the remembered URLs (and their routes) may weigh together, in UTF-16 code units. */
  static readonly MAX_URL_BYTES = 4 * 1024 * 1024;
  private readonly urls: LRUCache<string, FastPathRoute>;
  private readonly encoded = new WeakMap<object, Encoded>();
  private readonly credentialHeaders: readonly string[];

  constructor(
    @Inject(Cache) private readonly cache: Cache,
    @Optional() @Inject(HTTP_CACHE_OPTIONS) http?: ResolvedHttpCacheOptions,
  ) {
    this.credentialHeaders = (http ?? resolveHttpCacheOptions()).credentialHeaders;
    this.urls = new LRUCache({
      max: HttpFastPath.MAX_URLS,
      maxSize: HttpFastPath.MAX_URL_BYTES,
      sizeCalculation: (route, url) =>
        url.length + route.key.length + route.route.length + route.cacheControl.length + route.vary.length,
    });
  }

  /** Whether a request carries nothing the interceptor would look at beyond its URL. */
  isBare(req: IncomingMessage): boolean {
    const headers = req.headers;
    if (headers.cookie !== undefined || headers['if-modified-since'] !== undefined) return false;
    // Express' `fresh` 304s some lists this parser refuses (`"tag", junk`): the router decides those.
    const ifNoneMatch = headers['if-none-match'];
    if (ifNoneMatch !== undefined && parseIfNoneMatch(ifNoneMatch) === undefined) return false;
    for (const name of this.credentialHeaders) if (headers[name] !== undefined) return false;
    return true;
  }

  /** Called by `HttpCacheInterceptor` after it answered a bare request of a `fastPath` route. */
  remember(url: string, route: FastPathRoute): void {
    if (url.length > HttpFastPath.MAX_URL_LENGTH) return;
    const known = this.urls.get(url);
    if (known?.key === route.key && known.cacheControl === route.cacheControl && known.vary === route.vary)
      return;
    this.urls.set(url, route);
  }

  /** Forgets every URL (e.g. after a deploy changed what routes mean, in tests). */
  clear(): void {
    this.urls.clear();
  }

  /**
   * Synchronous, no cache read: the remembered route of a bare GET for this raw URL, or undefined. An app
   * that must do I/O before answering (a rate limit) checks this first, then calls `hit()` after it.
   */
  route(req: IncomingMessage & { originalUrl?: string }): FastPathRoute | undefined {
    if (req.method !== 'GET' || !this.isBare(req)) return undefined;
    return this.urls.get(req.originalUrl ?? req.url ?? '');
  }

  /** Synchronous: the fresh, current L1 entry of a remembered route (counted as an L1 hit), or undefined. */
  hit(route: FastPathRoute): FastPathHit | undefined {
    const cached = this.cache.peek<CachedHttpResponse>(route.key);
    if (!cached || typeof cached.body !== 'object' || cached.body === null) return undefined;
    return { route, cached };
  }

  /** Synchronous: `route()` then `hit()`: the HIT this process would serve `req`, or undefined. */
  lookup(req: IncomingMessage & { originalUrl?: string }): FastPathHit | undefined {
    const route = this.route(req);
    return route && this.hit(route);
  }

  /** Writes the HIT (or its 304) exactly as the interceptor's answer would look, and ends the response. */
  send(req: IncomingMessage, res: ServerResponse, { route, cached }: FastPathHit): void {
    res.setHeader('Vary', route.vary);
    for (const [name, value] of Object.entries(cached.headers ?? {})) res.setHeader(name, value);
    res.setHeader('X-Cache', 'HIT');
    res.setHeader('ETag', cached.etag);
    const age = ageOf(cached);
    if (age !== undefined) res.setHeader('Age', age);
    if (!res.hasHeader('Cache-Control')) res.setHeader('Cache-Control', route.cacheControl);
    if (ifNoneMatchMatches(req.headers['if-none-match'], cached.etag)) {
      res.removeHeader('Content-Type');
      res.statusCode = 304;
      res.end();
      return;
    }
    const bytes = this.bytesOf(cached);
    if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', bytes.length);
    res.statusCode = 200;
    res.end(bytes);
  }

  private bytesOf(cached: CachedHttpResponse): Buffer {
    const known = this.encoded.get(cached);
    if (known?.etag === cached.etag) return known.bytes;
    const bytes = Buffer.from(JSON.stringify(cached.body), 'utf8');
    this.encoded.set(cached, { etag: cached.etag, bytes });
    return bytes;
  }
}
