import { Body, Controller, Get, Headers, Post, Query, UseInterceptors } from '@nestjs/common';
import { Cache, CacheResponse, HttpCacheInterceptor } from '../src';
import { fetchUntilMiss, startHttpTestApps, type HttpTestApps } from './http-test-apps';

let handlerRuns = 0;
let catalog = ['apple'];
let flakyCalls = 0;

@Controller('items')
@UseInterceptors(HttpCacheInterceptor)
class ItemsController {
  constructor(private readonly cache: Cache) {}

  @Get()
  @CacheResponse({ ttl: '1m', tags: ['items'], query: ['sort', 'page', 'who', 'inm'] })
  list(@Query('sort') sort?: string): { items: string[]; sort?: string } {
    handlerRuns++;
    return { items: [...catalog], sort };
  }

  @Get('mine')
  @CacheResponse({ ttl: '1m', perUser: true, query: ['via'] })
  mine(@Headers('authorization') auth?: string): { owner?: string } {
    handlerRuns++;
    return { owner: auth };
  }

  @Get('greeting')
  @CacheResponse({ ttl: '1m', tags: ['items'], query: ['c'] })
  greeting(@Headers('cookie') cookie?: string): { greeting: string } {
    handlerRuns++;
    // Stands in for a handler that personalises its body from the session behind the cookie.
    return { greeting: cookie?.includes('connect.sid') ? 'hello alice' : 'hello guest' };
  }

  @Get('shop')
  @CacheResponse({ ttl: '1m', tags: ['items'], allowCookies: [/^shop_/], credentialCookies: ['shop_login'] })
  shop(): { shop: string } {
    handlerRuns++;
    return { shop: 'main' };
  }

  @Get('flaky')
  @CacheResponse({ ttl: 100, grace: '1m' })
  flaky(): { rate: number } {
    flakyCalls++;
    if (flakyCalls > 1) throw new Error('rates service down');
    return { rate: 1.5 };
  }

  @Post()
  async add(@Body() body: { item: string }): Promise<{ ok: true }> {
    catalog = [...catalog, body.item];
    await this.cache.invalidateTags(['items']);
    return { ok: true };
  }
}

describe('HttpCacheInterceptor across two app instances', () => {
  let stack: HttpTestApps;
  let urls: string[];

  beforeAll(async () => {
    stack = await startHttpTestApps({
      name: 'http',
      controllers: [ItemsController],
      readyPath: '/items',
    });
    ({ urls } = stack);
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  beforeEach(async () => {
    await fetch(`${urls[0]}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'reset' }),
    });
    // The other instance must know the bumped tag version before a test reads there: until its bus
    // message arrives, an entry stored under the new version looks invalidated to it (a spurious MISS).
    await stack.synced();
    handlerRuns = 0;
  });

  it('MISS then HIT under a normalized key (query order does not matter), with ETag and Cache-Control', async () => {
    const first = await fetch(`${urls[0]}/items?sort=asc&page=1`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await fetch(`${urls[0]}/items?page=1&sort=asc`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await second.json()).toEqual(await first.json());
    expect(handlerRuns).toBe(1);
    const etag = second.headers.get('etag') as string;
    const notModified = await fetch(`${urls[1]}/items?sort=asc&page=1`, {
      headers: { 'If-None-Match': etag },
    });
    expect(notModified.status).toBe(304);
    expect(handlerRuns).toBe(1);
  });

  it('a write on one instance invalidates the cached response on the other', async () => {
    expect((await fetch(`${urls[1]}/items`)).headers.get('x-cache')).toBe('MISS');
    expect((await fetch(`${urls[1]}/items`)).headers.get('x-cache')).toBe('HIT');
    await fetch(`${urls[0]}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ item: 'pear' }),
    });
    const after = await fetchUntilMiss(`${urls[1]}/items`, 'the second instance heard the write');
    expect(((await after.json()) as { items: string[] }).items).toContain('pear');
  });

  it('never stores a response for a caller with credentials under a shared key', async () => {
    const res = await fetch(`${urls[0]}/items?who=me`, { headers: { Authorization: 'Bearer alice' } });
    expect(res.headers.get('x-cache')).toBe('BYPASS');
    const anonymous = await fetch(`${urls[0]}/items?who=me`);
    expect(anonymous.headers.get('x-cache')).toBe('MISS');
  });

  it('serves the stale response with X-Cache: STALE when the handler fails after expiry', async () => {
    expect((await fetch(`${urls[0]}/items/flaky`)).headers.get('x-cache')).toBe('MISS');
    await new Promise((r) => setTimeout(r, 150));
    const stale = await fetch(`${urls[0]}/items/flaky`);
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(await stale.json()).toEqual({ rate: 1.5 });
  });

  it('perUser routes are cached per user, privately', async () => {
    // No user object in this app: the per-user key falls back to "anonymous" unless a user is attached.
    const a = await fetch(`${urls[0]}/items/mine`);
    expect(a.headers.get('x-cache')).toBe('MISS');
    expect(a.headers.get('cache-control')).toBe('private, max-age=60');
    expect((await fetch(`${urls[0]}/items/mine`)).headers.get('x-cache')).toBe('HIT');
    // Credentials without a resolved user: no key can be personal, so nothing is cached or served.
    const bob = await fetch(`${urls[0]}/items/mine`, { headers: { Authorization: 'Bearer bob' } });
    expect(bob.headers.get('x-cache')).toBe('BYPASS');
    expect(await bob.json()).toEqual({ owner: 'Bearer bob' });
  });

  it('a request carrying only a session cookie bypasses a shared route, and its body is never served to others', async () => {
    const alice = await fetch(`${urls[0]}/items/greeting`, {
      headers: { Cookie: 'connect.sid=s%3Aalice-session.signature' },
    });
    expect(alice.headers.get('x-cache')).toBe('BYPASS');
    expect(await alice.json()).toEqual({ greeting: 'hello alice' });
    for (const url of urls) {
      const anonymous = await fetch(`${url}/items/greeting`);
      expect(anonymous.headers.get('x-cache')).not.toBe('BYPASS');
      expect(await anonymous.json()).toEqual({ greeting: 'hello guest' });
    }
    expect(handlerRuns).toBe(2);
  });

  it('cookies named like a session, auth, token or JWT cookie also bypass', async () => {
    for (const cookie of ['_ga=1; SESSIONID=abc', 'auth_token=x', 'jwt=eyJ', 'my.sess=1']) {
      const res = await fetch(`${urls[0]}/items/greeting?c=${encodeURIComponent(cookie)}`, {
        headers: { Cookie: cookie },
      });
      expect(res.headers.get('x-cache')).toBe('BYPASS');
    }
  });

  it('an analytics-only cookie does not prevent caching', async () => {
    const first = await fetch(`${urls[0]}/items/greeting`, { headers: { Cookie: '_ga=1' } });
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await fetch(`${urls[0]}/items/greeting`, { headers: { Cookie: '_ga=1; _gid=2' } });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual({ greeting: 'hello guest' });
    expect(handlerRuns).toBe(1);
  });

  it('credentialCookies count as credentials even when the route allow-lists them', async () => {
    const own = await fetch(`${urls[0]}/items/shop`, { headers: { Cookie: 'shop_login=42' } });
    expect(own.headers.get('x-cache')).toBe('BYPASS');
    expect(
      (await fetch(`${urls[0]}/items/shop`, { headers: { Cookie: 'shop_prefs=1' } })).headers.get('x-cache'),
    ).toBe('MISS');
    expect(
      (await fetch(`${urls[0]}/items/shop`, { headers: { Cookie: 'session=1' } })).headers.get('x-cache'),
    ).toBe('BYPASS');
  });

  it('a perUser route bypasses a session cookie it cannot resolve to a user id', async () => {
    const res = await fetch(`${urls[0]}/items/mine?via=cookie`, {
      headers: { Cookie: 'connect.sid=s%3Abob' },
    });
    expect(res.headers.get('x-cache')).toBe('BYPASS');
    expect((await fetch(`${urls[0]}/items/mine?via=cookie`)).headers.get('x-cache')).toBe('MISS');
  });

  describe('If-None-Match', () => {
    let etag: string;

    beforeEach(async () => {
      const res = await fetch(`${urls[0]}/items?inm=1`);
      etag = res.headers.get('etag') as string;
      expect(etag).toMatch(/^"[^"]+"$/);
    });

    it.each([
      ['a list containing the etag', () => `"other", ${etag} , "another"`],
      ['the weak form of the etag', () => `W/${etag}`],
      ['a weak list', () => `W/"other",W/${etag}`],
      ['*', () => '*'],
    ])('%s -> 304 without a body', async (_name, header) => {
      const res = await fetch(`${urls[1]}/items?inm=1`, { headers: { 'If-None-Match': header() } });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    });

    it.each([
      ['a list without the etag', '"other", W/"another"'],
      ['a malformed header', 'no-quotes, *'],
      ['an unterminated tag', '"abc'],
    ])('%s -> 200 with the body', async (_name, header) => {
      const res = await fetch(`${urls[1]}/items?inm=1`, { headers: { 'If-None-Match': header } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ items: expect.arrayContaining(['apple']) });
    });
  });
});
