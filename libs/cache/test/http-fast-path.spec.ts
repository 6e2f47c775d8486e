import { Controller, Get, Param, Post, UseInterceptors, type INestApplication } from '@nestjs/common';
import { waitFor } from '@shop/testing';
import type { NextFunction, Request, Response } from 'express';
import { rawGet } from './http-test-client';
import { Cache, CacheResponse, HttpCacheInterceptor, HttpFastPath } from '../src';
import { startHttpTestApps, type HttpTestApps } from './http-test-apps';

let handlerRuns = 0;
let price = 100;

@Controller('fast')
@UseInterceptors(HttpCacheInterceptor)
class FastController {
  constructor(private readonly cache: Cache) {}

  @Get('plain')
  @CacheResponse({ ttl: '1m', tags: ['fast'] })
  plain(): { price: number } {
    handlerRuns++;
    return { price };
  }

  @Get(':sku')
  @CacheResponse({ ttl: '1m', tags: ['fast'], cacheControl: 'no-cache', query: ['lang'], fastPath: true })
  product(@Param('sku') sku: string): { sku: string; price: number } {
    handlerRuns++;
    return { sku, price };
  }

  @Post('price')
  async bump(): Promise<{ price: number }> {
    price++;
    await this.cache.invalidateTags(['fast']);
    return { price };
  }
}

/** What an app puts in front of its router: answer from the fast path, or hand on. Marks its answers. */
function fastPathMiddleware(app: INestApplication) {
  const fast = app.get(HttpFastPath);
  return (req: Request, res: Response, next: NextFunction) => {
    const hit = fast.lookup(req);
    if (!hit) return next();
    res.setHeader('X-Test-Fast-Path', '1');
    fast.send(req, res, hit);
  };
}

/** Headers that legitimately differ between two answers of one entry. */
const VOLATILE = new Set(['date', 'age', 'x-test-fast-path', 'connection', 'keep-alive']);
const stable = (res: globalThis.Response) =>
  Object.fromEntries([...res.headers.entries()].filter(([name]) => !VOLATILE.has(name)));

describe('HttpFastPath: HITs answered before routing', () => {
  let stack: HttpTestApps;
  let urls: string[];

  beforeAll(async () => {
    stack = await startHttpTestApps({
      name: 'fast',
      controllers: [FastController],
      readyPath: '/fast/plain',
      configure: (app) => app.use(fastPathMiddleware(app)),
    });
    ({ urls } = stack);
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  beforeEach(async () => {
    // Bumped on the instance the tests read, which knows the new tag version when the POST answers.
    // Bumped on the other one, its bus message could reach this instance after a test's first request
    // had cached under the old version, and drop that entry before the repeat (a flake seen in CI).
    await fetch(`${urls[0]}/fast/price`, { method: 'POST' });
    handlerRuns = 0;
  });

  it("answers a bare repeat of a URL the interceptor answered, with exactly the interceptor's HIT headers and body", async () => {
    const miss = await fetch(`${urls[0]}/fast/MUG-RED?lang=en`);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const fast = await fetch(`${urls[0]}/fast/MUG-RED?lang=en`);
    expect(fast.headers.get('x-test-fast-path')).toBe('1');
    // The same entry through the router: an analytics cookie is allow-listed (shared key) but not bare.
    const routed = await fetch(`${urls[0]}/fast/MUG-RED?lang=en`, { headers: { cookie: '_ga=GA1.2.3' } });
    expect(routed.headers.get('x-test-fast-path')).toBeNull();
    expect(routed.headers.get('x-cache')).toBe('HIT');
    expect(stable(fast)).toEqual(stable(routed));
    expect(fast.status).toBe(200);
    const body = await fast.text();
    expect(body).toBe(await routed.text());
    expect(JSON.parse(body)).toEqual({ sku: 'MUG-RED', price });
    expect(handlerRuns).toBe(1);
  });

  it('answers If-None-Match with a 304 carrying the ETag and no body, as the interceptor does', async () => {
    const first = await fetch(`${urls[0]}/fast/MUG-BLUE`);
    const etag = first.headers.get('etag') as string;
    const fast = await fetch(`${urls[0]}/fast/MUG-BLUE`, { headers: { 'if-none-match': etag } });
    const routed = await fetch(`${urls[0]}/fast/MUG-BLUE`, {
      headers: { 'if-none-match': etag, cookie: '_ga=1' },
    });
    expect(fast.headers.get('x-test-fast-path')).toBe('1');
    expect([fast.status, routed.status]).toEqual([304, 304]);
    expect(await fast.text()).toBe('');
    expect(stable(fast)).toEqual(stable(routed));
  });

  it('takes the normal path for a cookie, Authorization, If-Modified-Since, a route without fastPath, or a URL never answered', async () => {
    const url = `${urls[0]}/fast/CUP-TALL`;
    await fetch(url);
    for (const headers of <Array<Record<string, string>>>[
      { cookie: 'sid=abc' },
      { cookie: '_ga=1' },
      { authorization: 'Bearer x' },
      { 'if-modified-since': new Date().toUTCString() },
    ]) {
      const res = await fetch(url, { headers });
      expect(res.headers.get('x-test-fast-path')).toBeNull();
    }
    await fetch(`${urls[0]}/fast/plain`);
    const plain = await fetch(`${urls[0]}/fast/plain`);
    expect(plain.headers.get('x-cache')).toBe('HIT');
    expect(plain.headers.get('x-test-fast-path')).toBeNull();
    // Same key, another raw spelling: not remembered until the interceptor has answered it itself.
    const spelled = await fetch(`${urls[0]}/fast/CUP-TALL?utm_source=x`);
    expect(spelled.headers.get('x-test-fast-path')).toBeNull();
    expect(spelled.headers.get('x-cache')).toBe('HIT');
    const again = await fetch(`${urls[0]}/fast/CUP-TALL?utm_source=x`);
    expect(again.headers.get('x-test-fast-path')).toBe('1');
  });

  it('never remembers a path that normalises differently (poisoning) or a bypassed query', async () => {
    await fetch(`${urls[0]}/fast/CUP-WIDE`); // the canonical entry exists and is fresh
    for (const path of [
      '/fast//CUP-WIDE',
      '/fast/CUP-WIDE?junk=1',
      '/fast/%2e%2e/fast/CUP-WIDE',
      '/fast/./CUP-WIDE',
    ]) {
      await rawGet(urls[0], path);
      const res = await rawGet(urls[0], path);
      // Unrouted (404, no X-Cache) or bypassed by the interceptor: either way never from the fast path.
      expect([path, res.headers['x-test-fast-path']]).toEqual([path, undefined]);
      expect([path, res.headers['x-cache'] ?? 'none']).not.toEqual([path, 'HIT']);
    }
    // Spellings Express routes to the same params (so the interceptor keys them alike) are answered
    // alike: the fast path gives exactly what the router gives for them.
    for (const path of ['/fast/CUP-WIDE/', '/fast/CUP%2DWIDE']) {
      await rawGet(urls[0], path);
      const fast = await rawGet(urls[0], path);
      const routed = await rawGet(urls[0], path, { cookie: '_ga=1' });
      expect([path, fast.headers['x-test-fast-path'], routed.headers['x-cache']]).toEqual([path, '1', 'HIT']);
      expect(fast.body).toBe(routed.body);
      expect(JSON.parse(fast.body)).toEqual({ sku: 'CUP-WIDE', price });
    }
  });

  it('stops answering the moment another instance invalidates the entry', async () => {
    const url = `${urls[0]}/fast/BAG-TOTE`;
    await fetch(url);
    expect((await fetch(url)).headers.get('x-test-fast-path')).toBe('1');
    const before = price;
    await fetch(`${urls[1]}/fast/price`, { method: 'POST' }); // bumps the tag, published before it answers
    await waitFor(
      'the bus message on instance one',
      () => stack.apps[0].get(HttpFastPath).lookup(fakeGet(url)) === undefined,
      {
        timeoutMs: 2000,
      },
    );
    const next = await fetch(url);
    expect(next.headers.get('x-test-fast-path')).toBeNull();
    expect(next.headers.get('x-cache')).toBe('MISS');
    expect(((await next.json()) as { price: number }).price).toBe(before + 1);
  });

  it('a malformed If-None-Match list gets the answer the routed path gives (Express `fresh` 304s it)', async () => {
    const first = await fetch(`${urls[0]}/fast/MUG-GREEN`);
    const etag = first.headers.get('etag') as string;
    const header = `${etag}, junk`;
    const routed = await rawGet(urls[0], '/fast/MUG-GREEN', { 'if-none-match': header, cookie: '_ga=1' });
    const fast = await rawGet(urls[0], '/fast/MUG-GREEN', { 'if-none-match': header });
    expect([routed.status, fast.status]).toEqual([304, 304]);
    expect(fast.headers['x-test-fast-path']).toBeUndefined(); // the router's call, not the fast path's
  });

  it('remembers no URL longer than MAX_URL_LENGTH, and bounds what the remembered URLs weigh', async () => {
    const fast = stack.apps[0].get(HttpFastPath);
    // `utm_*` is dropped from the key without a bypass: every value is a new raw URL for one key.
    const path = `/fast/MUG-LONG?utm_x=${'a'.repeat(8000)}`;
    await rawGet(urls[0], path);
    const again = await rawGet(urls[0], path);
    expect(again.headers['x-test-fast-path']).toBeUndefined();
    // 10k URLs of 2 kB each (well under Node's 16 kB header limit) must not all be kept.
    const route = {
      key: 'http:/fast/:sku;p=sku=X',
      route: '/fast/:sku',
      cacheControl: 'no-cache',
      vary: 'Cookie',
    };
    for (let i = 0; i < HttpFastPath.MAX_URLS; i++)
      fast.remember(`/fast/X?utm_${i}=${'b'.repeat(2000)}`, route);
    const weight = (fast as unknown as { urls: { calculatedSize?: number } }).urls.calculatedSize ?? Infinity;
    expect(weight).toBeLessThanOrEqual(HttpFastPath.MAX_URL_BYTES);
    fast.clear();
  });

  it('refuses fastPath on a perUser route', async () => {
    const { routeOptionsProblem } = await import('../src/lib/http/route-options-check');
    expect(routeOptionsProblem({ perUser: true, cacheControl: 'private', fastPath: true })).toMatch(
      /fastPath/,
    );
  });
});

/** The parts of a request `lookup` reads, for a probe outside any HTTP exchange. */
function fakeGet(url: string) {
  const { pathname, search } = new URL(url);
  return { method: 'GET', headers: {}, url: pathname + search, originalUrl: pathname + search } as never;
}
