import {
  Controller,
  Get,
  Module,
  Param,
  Res,
  UseInterceptors,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisModule } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import type { NextFunction, Request, Response } from 'express';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { CacheModule, CacheResponse, DEFAULT_ALLOWED_COOKIES, HttpCacheInterceptor } from '../src';
import { rawGet } from './http-test-client';

const runs: Record<string, number> = {};
const ran = (name: string) => (runs[name] = (runs[name] ?? 0) + 1);
let failRates = false;
const arrivals: Record<string, number> = {};
let openGate: () => void = () => undefined;
let gate = Promise.resolve();

@Controller()
@UseInterceptors(HttpCacheInterceptor)
class ShopController {
  @Get('promo')
  @CacheResponse({ ttl: '1m' })
  promo(): { promo: string } {
    ran('promo');
    return { promo: 'real' };
  }

  @Get('search/:term')
  @CacheResponse({ ttl: '1m' })
  search(@Param('term') term: string): { results: string } {
    ran('search');
    return { results: `results for ${term}` };
  }

  @Get('products')
  @CacheResponse({ ttl: '1m', query: ['sort', 'page'] })
  products(@Res({ passthrough: true }) res: Response): { products: string[] } {
    ran('products');
    void res;
    return { products: ['apple'] };
  }

  @Get('pages')
  @CacheResponse({ ttl: '1m', query: ['page'], maxKeys: 3 })
  pages(): { page: string } {
    ran('pages');
    return { page: 'x' };
  }

  @Get('rates')
  @CacheResponse({ ttl: 100 })
  rates(): { rate: number } {
    ran('rates');
    if (failRates) throw new Error('rates service down');
    return { rate: 1.5 };
  }

  @Get('rates-with-grace')
  @CacheResponse({ ttl: 100, grace: '1m' })
  ratesWithGrace(): { rate: number } {
    ran('rates-with-grace');
    if (failRates) throw new Error('rates service down');
    return { rate: 1.5 };
  }

  @Get('report.csv')
  @CacheResponse({ ttl: '1m', headers: ['x-catalog-version'] })
  report(@Res({ passthrough: true }) res: Response): string {
    ran('report');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="report.csv"');
    res.setHeader('X-Catalog-Version', '7');
    res.setHeader('X-Debug-Handler', 'not replayed');
    return 'sku,qty\napple,1\n';
  }

  @Get('welcome')
  @CacheResponse({ ttl: '1m' })
  welcome(@Res({ passthrough: true }) res: Response): { hello: string } {
    ran('welcome');
    res.setHeader('Set-Cookie', 'visitor=abc; HttpOnly');
    return { hello: 'visitor abc' };
  }

  @Get('welcome-gated')
  @CacheResponse({ ttl: '1m' })
  async welcomeGated(@Res({ passthrough: true }) res: Response): Promise<{ hello: string }> {
    const visitor = `v${ran('welcome-gated')}`;
    await gate;
    res.setHeader('Set-Cookie', `visitor=${visitor}`);
    return { hello: visitor };
  }

  @Get('negotiated')
  @CacheResponse({ ttl: '1m' })
  negotiated(@Res({ passthrough: true }) res: Response): { lang: string } {
    ran('negotiated');
    res.vary('Accept-Language');
    return { lang: 'en' };
  }

  @Get('private-by-handler')
  @CacheResponse({ ttl: '1m' })
  privateByHandler(@Res({ passthrough: true }) res: Response): { secret: string } {
    ran('private-by-handler');
    res.setHeader('Cache-Control', 'private, no-store');
    return { secret: 'for this caller' };
  }
}

/** Keeps what the app logs, so the start-up warning can be asserted. */
class RecordingLogger implements LoggerService {
  readonly warnings: string[] = [];
  readonly other: unknown[] = [];
  log(message: unknown): void {
    this.other.push(message);
  }
  error(message: unknown): void {
    this.other.push(message);
  }
  warn(message: unknown): void {
    this.warnings.push(typeof message === 'string' ? message : JSON.stringify(message));
  }
}

function appModule(url: string) {
  @Module({
    imports: [
      RedisModule.forRoot({ url, keyPrefix: 'hk' }),
      CacheModule.forRoot({
        name: 'http-keys',
        registry: new Registry(),
        http: {
          allowCookies: [...DEFAULT_ALLOWED_COOKIES, 'consent'],
          credentialHeaders: ['Authorization', 'X-Api-Key'],
        },
      }),
    ],
    controllers: [ShopController],
  })
  class AppModule {}
  return AppModule;
}

describe('HttpCacheInterceptor: keys, poisoning, key space and replayed headers', () => {
  let redis: TestRedis;
  let app: INestApplication;
  let url: string;
  let client: Redis;
  const logger = new RecordingLogger();

  /** Cache entries in Redis whose key contains `part` (SCAN, bounded). */
  async function entries(part: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    for (let i = 0; i < 1000; i++) {
      const [next, keys] = await client.scan(cursor, 'MATCH', `*${part}*`, 'COUNT', 1000);
      found.push(...keys.filter((k) => !k.endsWith(':lease')));
      cursor = next;
      if (cursor === '0') break;
    }
    return found;
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    app = await NestFactory.create(appModule(redis.url), { logger, abortOnError: false });
    app.use((req: Request, _res: Response, next: NextFunction) => {
      arrivals[req.path] = (arrivals[req.path] ?? 0) + 1;
      next();
    });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    await waitFor('redis ready', async () => (await fetch(`${url}/products`)).status === 200);
  });

  afterAll(async () => {
    await app?.close();
    client?.disconnect();
    await redis?.dispose();
  });

  beforeEach(async () => {
    await client.flushall();
    for (const k of Object.keys(runs)) delete runs[k];
    failRates = false;
  });

  describe('poisoning through path normalisation', () => {
    it('GET /search/<payload>\\..\\..\\promo is not stored as /promo', async () => {
      const poisoned = await rawGet(url, '/search/<b>pwned<%2Fb>\\..\\..\\promo');
      expect(poisoned.status).toBe(200);
      expect(poisoned.headers['x-cache']).toBe('BYPASS');
      const promo = await rawGet(url, '/promo');
      expect(JSON.parse(promo.body)).toEqual({ promo: 'real' });
      expect(runs['promo']).toBe(1);
    });

    it.each([
      ['backslashes', '/search/x\\..\\..\\promo'],
      ['encoded dot segments', '/search/%2e%2e'],
      ['upper-case encoded dots', '/search/%2E%2E'],
      ['a half-encoded dot segment', '/search/.%2e'],
      ['an encoded backslash', '/search/x%5c..%5cpromo'],
      ['an encoded slash', '/search/a%2Fpromo'],
      ['a double-encoded dot', '/search/%252e%252e'],
      ['a plain dot segment', '/search/..'],
      ['a single dot', '/search/.'],
    ])('bypasses a raw path with %s (%s)', async (_name, rawPath) => {
      const res = await rawGet(url, rawPath);
      expect(res.status).toBe(200);
      expect(res.headers['x-cache']).toBe('BYPASS');
      expect(await entries('search')).toEqual([]);
    });

    it('bypasses a doubled slash', async () => {
      const res = await rawGet(url, '//promo');
      if (res.status === 200) expect(res.headers['x-cache']).toBe('BYPASS');
      expect(await entries('promo')).toEqual([]);
    });

    it('keys on the route the router matched and its decoded params', async () => {
      const plain = await rawGet(url, '/search/ab');
      expect(plain.headers['x-cache']).toBe('MISS');
      const encoded = await rawGet(url, '/search/%61b');
      expect(encoded.headers['x-cache']).toBe('HIT');
      expect(JSON.parse(encoded.body)).toEqual({ results: 'results for ab' });
      const other = await rawGet(url, '/search/promo');
      expect(JSON.parse(other.body)).toEqual({ results: 'results for promo' });
      expect(JSON.parse((await rawGet(url, '/promo')).body)).toEqual({ promo: 'real' });
    });
  });

  describe('client-chosen key space', () => {
    it('only allow-listed query parameters form the key, sorted', async () => {
      expect((await fetch(`${url}/products?sort=asc&page=2`)).headers.get('x-cache')).toBe('MISS');
      expect((await fetch(`${url}/products?page=2&sort=asc`)).headers.get('x-cache')).toBe('HIT');
      expect((await fetch(`${url}/products?page=3&sort=asc`)).headers.get('x-cache')).toBe('MISS');
      expect(runs['products']).toBe(2);
    });

    it('random query strings add no keys: a parameter outside the allow-list bypasses', async () => {
      for (let i = 0; i < 30; i++) {
        const res = await fetch(`${url}/products?sort=asc&r${i}=${Math.random()}`);
        expect(res.headers.get('x-cache')).toBe('BYPASS');
      }
      for (let i = 0; i < 10; i++) {
        expect((await fetch(`${url}/promo?cb=${i}`)).headers.get('x-cache')).toBe('BYPASS');
      }
      expect(await entries('products')).toEqual([]);
      expect(await entries('promo')).toEqual([]);
    });

    it('tracking parameters (utm_*, gclid, fbclid) are left out of the key without bypassing', async () => {
      const path = `${url}/search/tracking`;
      expect((await fetch(`${path}?utm_source=mail&utm_campaign=x`)).headers.get('x-cache')).toBe('MISS');
      expect((await fetch(`${path}?gclid=abc`)).headers.get('x-cache')).toBe('HIT');
      expect((await fetch(`${path}?fbclid=1`)).headers.get('x-cache')).toBe('HIT');
      expect(await entries('tracking')).toHaveLength(1);
    });

    it('a route holds at most maxKeys keys per process; further keys bypass, known ones still hit', async () => {
      const states: string[] = [];
      for (let page = 1; page <= 8; page++) {
        states.push((await fetch(`${url}/pages?page=${page}`)).headers.get('x-cache') as string);
      }
      expect(states).toEqual(['MISS', 'MISS', 'MISS', 'BYPASS', 'BYPASS', 'BYPASS', 'BYPASS', 'BYPASS']);
      expect((await fetch(`${url}/pages?page=1`)).headers.get('x-cache')).toBe('HIT');
      expect(await entries('pages')).toHaveLength(3);
    });

    it('HTTP entries get no grace unless the route asks: Redis drops them at their TTL, no STALE', async () => {
      expect((await fetch(`${url}/rates`)).headers.get('x-cache')).toBe('MISS');
      const [key] = await entries('rates');
      expect(key).toBeDefined();
      const pttl = await client.pttl(key as string);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(110); // ttl 100 ms + at most 10 % jitter, not 10 minutes of grace
      // L1 gets the same expiry, stamped before the L2 write: once Redis dropped the entry, L1 holds it no more.
      await waitFor('entry expired', async () => (await entries('rates')).length === 0);
      failRates = true;
      const after = await fetch(`${url}/rates`);
      expect(after.status).toBe(500);
    });

    it('a route that asks for grace serves STALE when the handler fails after expiry', async () => {
      const storedBy = Date.now();
      expect((await fetch(`${url}/rates-with-grace`)).headers.get('x-cache')).toBe('MISS');
      const fresh = await fetch(`${url}/rates-with-grace`);
      if (Date.now() - storedBy < 100) expect(fresh.headers.get('x-cache')).toBe('HIT');
      // Past ttl + the largest jitter (100 ms + 10 %), measured from before the store.
      await waitFor('past the ttl', () => Date.now() - storedBy > 111);
      failRates = true;
      const stale = await fetch(`${url}/rates-with-grace`);
      expect(stale.status).toBe(200);
      expect(stale.headers.get('x-cache')).toBe('STALE');
      expect(await stale.json()).toEqual({ rate: 1.5 });
    });

    it('module-level http options apply to every route (an allow-listed consent cookie)', async () => {
      const headers = { Cookie: 'consent=all; _ga=1' };
      expect((await fetch(`${url}/search/consent`, { headers })).headers.get('x-cache')).toBe('MISS');
      expect((await fetch(`${url}/search/consent`, { headers })).headers.get('x-cache')).toBe('HIT');
    });

    it('warns at start that the cache Redis is the data Redis', () => {
      expect(logger.warnings.join('\n')).toMatch(/REDIS_CACHE_URL|cache Redis/i);
    });
  });

  describe('headers', () => {
    it('a HIT replays the handler-set allow-listed headers, never others', async () => {
      const miss = await fetch(`${url}/report.csv`);
      expect(miss.headers.get('x-cache')).toBe('MISS');
      const hit = await fetch(`${url}/report.csv`);
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(hit.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(hit.headers.get('content-disposition')).toBe('attachment; filename="report.csv"');
      expect(hit.headers.get('x-catalog-version')).toBe('7');
      expect(hit.headers.get('x-debug-handler')).toBeNull();
      expect(await hit.text()).toBe('sku,qty\napple,1\n');
      expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
      expect(Number(hit.headers.get('age'))).toBeGreaterThanOrEqual(0);
      expect(runs['report']).toBe(1);
    });

    it('shared entries send Vary for the credentials that would change the answer', async () => {
      for (const state of ['MISS', 'HIT']) {
        const res = await fetch(`${url}/search/vary`);
        expect(res.headers.get('x-cache')).toBe(state);
        const vary = (res.headers.get('vary') ?? '').toLowerCase().split(/\s*,\s*/);
        expect(vary).toEqual(expect.arrayContaining(['authorization', 'cookie']));
      }
    });

    it('a response whose handler sets a cookie is never stored (Set-Cookie is never replayed)', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${url}/welcome`);
        expect(res.headers.get('x-cache')).toBe('BYPASS');
        expect(res.headers.get('set-cookie')).toBe('visitor=abc; HttpOnly');
      }
      expect(runs['welcome']).toBe(2);
      expect(await entries('welcome')).toEqual([]);
    });

    it('a response the handler varies on a header the key does not cover is not stored', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${url}/negotiated`, { headers: { 'Accept-Language': 'en' } });
        expect(res.headers.get('x-cache')).toBe('BYPASS');
        expect(res.headers.get('vary')).toMatch(/Accept-Language/);
      }
      expect(runs['negotiated']).toBe(2);
    });

    it('a configured credential header bypasses shared routes and is listed in Vary', async () => {
      const keyed = await fetch(`${url}/search/api-key`, { headers: { 'X-Api-Key': 'k1' } });
      expect(keyed.headers.get('x-cache')).toBe('BYPASS');
      expect(keyed.headers.get('vary')).toBe('Authorization, X-Api-Key, Cookie');
      expect((await fetch(`${url}/search/api-key`)).headers.get('x-cache')).toBe('MISS');
    });

    it('a request that joined a load whose response is not storable runs its own handler', async () => {
      gate = new Promise((resolve) => (openGate = resolve));
      const first = fetch(`${url}/welcome-gated`);
      await waitFor('first handler running', () => runs['welcome-gated'] === 1);
      const second = fetch(`${url}/welcome-gated`); // joins the first one's load (single flight)
      // Between the middleware and the interceptor there is no I/O: once counted, it has joined.
      await waitFor('second request arrived', () => arrivals['/welcome-gated'] === 2);
      expect(runs['welcome-gated']).toBe(1);
      openGate();
      const [a, b] = await Promise.all([first, second]);
      expect(await a.json()).toEqual({ hello: 'v1' });
      expect(a.headers.get('set-cookie')).toBe('visitor=v1');
      expect(await b.json()).toEqual({ hello: 'v2' });
      expect(b.headers.get('set-cookie')).toBe('visitor=v2');
      expect(b.headers.get('x-cache')).toBe('BYPASS');
    });

    it('a response the handler marks private or no-store is not stored under a shared key', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${url}/private-by-handler`);
        expect(res.headers.get('x-cache')).toBe('BYPASS');
        expect(res.headers.get('cache-control')).toBe('private, no-store');
      }
      expect(runs['private-by-handler']).toBe(2);
    });
  });
});
