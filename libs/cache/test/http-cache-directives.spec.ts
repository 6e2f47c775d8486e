import {
  Controller,
  Get,
  Module,
  Req,
  Res,
  UseInterceptors,
  type INestApplication,
  type LoggerService,
  type MiddlewareConsumer,
  type NestMiddleware,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisModule } from '@shop/redis';
import { sleep, startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import type { NextFunction, Request, Response } from 'express';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { CacheModule, CacheResponse, HttpCacheInterceptor, type CacheResponseOptions } from '../src';

type TestUser = { id: string; role?: string };
type UserRequest = Request & { user?: TestUser };

const runs: Record<string, number> = {};
const ran = (name: string) => (runs[name] = (runs[name] ?? 0) + 1);
/** The stale test's handler: slow once the entry has expired, so the answer comes from grace. */
let slowRefresh = false;
let refreshing = false;

/**
 * `x-test-user: <id>[:<role>]` stands in for a session: it sets `req.user` like an auth middleware would.
 * The role is percent-decoded, so a test can hand the variant function labels no header may carry (CR/LF).
 */
class TestAuth implements NestMiddleware {
  use(req: UserRequest, _res: Response, next: NextFunction): void {
    const header = req.headers['x-test-user'];
    if (typeof header === 'string') {
      const [id = '', role] = header.split(':');
      req.user = role === undefined ? { id } : { id, role: decodeURIComponent(role) };
    }
    next();
  }
}

const roleOf = (req: Request) => (req as UserRequest).user?.role;
/** The gateway's catalog pattern: admins see more, everyone else (customers, anonymous) the same. */
const ADMIN_OR_PUBLIC: CacheResponseOptions = {
  ttl: '1m',
  query: ['t'],
  variant: (req) => (roleOf(req) === 'admin' ? 'admin' : 'public'),
};

@Controller('d')
@UseInterceptors(HttpCacheInterceptor)
class DirectivesController {
  @Get('ready')
  @CacheResponse({ ttl: '1m' })
  ready(): { ok: true } {
    return { ok: true };
  }

  @Get('shared')
  @CacheResponse({ ttl: '1m', cacheControl: 'no-cache' })
  shared(): { n: number } {
    return { n: ran('shared') };
  }

  @Get('handler-cache-control')
  @CacheResponse({ ttl: '1m', cacheControl: 'no-cache' })
  handlerCacheControl(@Res({ passthrough: true }) res: Response): { n: number } {
    res.setHeader('Cache-Control', 'public, max-age=5');
    return { n: ran('handler-cache-control') };
  }

  @Get('handler-no-store')
  @CacheResponse({ ttl: '1m', cacheControl: 'no-cache' })
  handlerNoStore(@Res({ passthrough: true }) res: Response): { n: number } {
    res.setHeader('Cache-Control', 'no-store');
    return { n: ran('handler-no-store') };
  }

  @Get('sets-cookie')
  @CacheResponse({ ttl: '1m', cacheControl: 'no-cache' })
  setsCookie(@Res({ passthrough: true }) res: Response): { n: number } {
    res.setHeader('Set-Cookie', 'visitor=abc');
    return { n: ran('sets-cookie') };
  }

  @Get('stale')
  @CacheResponse({ ttl: 400, grace: '1m', cacheControl: 'no-cache' })
  async stale(): Promise<{ n: number }> {
    const n = ran('stale');
    if (slowRefresh) {
      refreshing = true;
      await sleep(600); // well past the module's softTimeout (100 ms)
      refreshing = false;
    }
    return { n };
  }

  @Get('mine')
  @CacheResponse({ ttl: '1m', perUser: true, cacheControl: 'private, no-cache' })
  mine(@Req() req: UserRequest): { owner?: string; n: number } {
    return { owner: req.user?.id, n: ran('mine') };
  }

  @Get('bad-per-user')
  @CacheResponse({ ttl: '1m', perUser: true, cacheControl: 'no-cache' })
  badPerUser(): { n: number } {
    return { n: ran('bad-per-user') };
  }

  @Get('header-injection')
  @CacheResponse({ ttl: '1m', cacheControl: 'no-cache\r\nX-Injected: 1' })
  headerInjection(): { n: number } {
    return { n: ran('header-injection') };
  }

  @Get('variant-per-user')
  @CacheResponse({ ttl: '1m', perUser: true, cacheControl: 'private', variant: roleOf })
  variantPerUser(): { n: number } {
    return { n: ran('variant-per-user') };
  }

  @Get('by-role')
  @CacheResponse(ADMIN_OR_PUBLIC)
  byRole(@Req() req: UserRequest): { view: string; n: number } {
    return { view: req.user?.role === 'admin' ? 'everything' : 'public items', n: ran('by-role') };
  }

  /** The label is the caller's role as it came: hostile roles must never become keys. */
  @Get('role')
  @CacheResponse({ ttl: '1m', variant: roleOf })
  role(@Req() req: UserRequest): { role?: string; n: number } {
    return { role: req.user?.role, n: ran('role') };
  }

  @Get('fragile')
  @CacheResponse({
    ttl: '1m',
    variant: (req) => {
      const role = roleOf(req);
      if (role === undefined || role === 'broken') throw new Error('cannot tell');
      return role;
    },
  })
  fragile(@Req() req: UserRequest): { role?: string; n: number } {
    return { role: req.user?.role, n: ran('fragile') };
  }

  @Get('budget')
  @CacheResponse({ ttl: '1m', maxKeys: 2, variant: roleOf })
  budget(@Req() req: UserRequest): { role?: string } {
    ran('budget');
    return { role: req.user?.role };
  }
}

/** Keeps what the apps log, so a refused route's message can be asserted. */
class RecordingLogger implements LoggerService {
  readonly errors: string[] = [];
  log(): void {
    return undefined;
  }
  warn(): void {
    return undefined;
  }
  error(message: unknown): void {
    this.errors.push(message instanceof Error ? message.message : String(message));
  }
}

function appModule(url: string, instance: string) {
  @Module({
    imports: [
      RedisModule.forRoot({ url, keyPrefix: 'dir', connectionName: instance }),
      CacheModule.forRoot({ name: 'dir', registry: new Registry(), softTimeout: 100 }),
    ],
    controllers: [DirectivesController],
  })
  class AppModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(TestAuth).forRoutes('{*path}');
    }
  }
  return AppModule;
}

interface Answer {
  status: number;
  cache: string | null;
  cacheControl: string | null;
  etag: string | null;
  body: unknown;
  headers: Headers;
}

describe('HTTP cache route directives: cacheControl and variant', () => {
  let redis: TestRedis;
  let client: Redis;
  const logger = new RecordingLogger();
  const apps: INestApplication[] = [];
  const urls: string[] = [];

  /** GET `/d/<path>` on instance `i`; `user` is the `x-test-user` value (`<id>:<role>`). */
  async function get(i: number, path: string, user?: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${urls[i]}/d/${path}`, {
      headers: { ...headers, ...(user === undefined ? {} : { 'x-test-user': user }) },
    });
    const text = await res.text();
    const answer: Answer = {
      status: res.status,
      cache: res.headers.get('x-cache'),
      cacheControl: res.headers.get('cache-control'),
      etag: res.headers.get('etag'),
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
      headers: res.headers,
    };
    return answer;
  }

  /** The cache keys of a route's entries in Redis (`http:/d/<route>...`), leases left out. */
  async function keys(route: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `*{http:/d/${route}*`, 'COUNT', 1000);
      found.push(...batch.filter((k) => !k.endsWith(':lease')));
      cursor = next;
    } while (cursor !== '0');
    return found.map((k) => k.slice(k.indexOf('{') + 1, k.lastIndexOf('}'))).sort();
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    for (const instance of ['one', 'two']) {
      const app = await NestFactory.create(appModule(redis.url, instance), { logger });
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      urls.push(await app.getUrl());
    }
    await waitFor('ready', async () => (await get(0, 'ready')).status === 200);
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    client?.disconnect();
    await redis?.dispose();
  });

  describe('cacheControl', () => {
    it('goes to the client on MISS, HIT and 304 while the entry stays cached (and is not stored)', async () => {
      const miss = await get(0, 'shared');
      expect([miss.cache, miss.cacheControl]).toEqual(['MISS', 'no-cache']);
      const hit = await get(1, 'shared');
      expect([hit.cache, hit.cacheControl]).toEqual(['HIT', 'no-cache']);
      expect(hit.body).toEqual(miss.body);
      const revalidated = await get(0, 'shared', undefined, { 'if-none-match': hit.etag as string });
      expect([revalidated.status, revalidated.cache, revalidated.cacheControl]).toEqual([
        304,
        'HIT',
        'no-cache',
      ]);
      expect(runs['shared']).toBe(1);
      // The client's directive is no handler header: the stored entry does not carry it.
      const [key] = await keys('shared');
      const stored = await client.get(`dir:cache:dir:{${key as string}}`);
      expect(stored).toContain('"n"');
      expect(stored).not.toContain('no-cache');
    });

    it('goes on bypassed answers too; a Cache-Control the handler set keeps its meaning', async () => {
      const credentialed = await get(0, 'shared', undefined, { authorization: 'Bearer t' });
      expect([credentialed.cache, credentialed.cacheControl]).toEqual(['BYPASS', 'no-cache']);
      // A handler-set Set-Cookie makes the response unstorable; the route's directive still goes out.
      for (let i = 0; i < 2; i++) {
        const cookie = await get(i, 'sets-cookie');
        expect([cookie.cache, cookie.cacheControl]).toEqual(['BYPASS', 'no-cache']);
        expect(cookie.headers.get('set-cookie')).toBe('visitor=abc');
      }
      expect(await keys('sets-cookie')).toEqual([]);
      // A handler-set Cache-Control keeps its meaning: its value wins everywhere, no-store is not stored.
      const miss = await get(0, 'handler-cache-control');
      const hit = await get(1, 'handler-cache-control');
      const bypass = await get(1, 'handler-cache-control', 'carol:customer');
      expect([miss.cache, hit.cache, bypass.cache]).toEqual(['MISS', 'HIT', 'BYPASS']);
      for (const answer of [miss, hit, bypass]) expect(answer.cacheControl).toBe('public, max-age=5');
      for (let i = 0; i < 2; i++) {
        const noStore = await get(i, 'handler-no-store');
        expect([noStore.cache, noStore.cacheControl]).toEqual(['BYPASS', 'no-store']);
      }
      expect(runs['handler-no-store']).toBe(2);
    });

    it('goes on a STALE answer, and the load that outlives it still stores its fresh response', async () => {
      const miss = await get(0, 'stale');
      const storedBy = Date.now(); // the entry was stored before its MISS went out
      expect([miss.cache, miss.cacheControl]).toEqual(['MISS', 'no-cache']);
      await waitFor('past the ttl', () => Date.now() - storedBy > 450); // 400 ms + up to 10 % jitter
      slowRefresh = true;
      const stale = await get(0, 'stale');
      expect([stale.cache, stale.cacheControl, stale.body]).toEqual(['STALE', 'no-cache', { n: 1 }]);
      // The refresh finishes after the stale answer went out, with the interceptor's headers on `res`;
      // its L1 fill follows the handler within microtasks, so the next poll sees it.
      await waitFor('the refresh finished', () => runs['stale'] === 2 && !refreshing);
      slowRefresh = false;
      const fresh = await get(0, 'stale');
      expect([fresh.cache, fresh.cacheControl, fresh.body]).toEqual(['HIT', 'no-cache', { n: 2 }]);
      expect(runs['stale']).toBe(2);
      // Nor did it take the interceptor's answer headers for the handler's.
      const [key] = await keys('stale');
      const redisKey = `dir:cache:dir:{${key as string}}`;
      await waitFor('the refresh in Redis', async () => (await client.get(redisKey))?.includes('"n":2'));
      expect(await client.get(redisKey)).not.toContain('no-cache');
    });

    it('a per-user route with private, no-cache is cached per user and never crosses users', async () => {
      const a1 = await get(0, 'mine', 'alice:customer');
      const a2 = await get(1, 'mine', 'alice:customer');
      const b1 = await get(1, 'mine', 'bob:customer');
      const b2 = await get(0, 'mine', 'bob:customer');
      expect([a1.cache, a2.cache, b1.cache, b2.cache]).toEqual(['MISS', 'HIT', 'MISS', 'HIT']);
      for (const answer of [a1, a2, b1, b2]) expect(answer.cacheControl).toBe('private, no-cache');
      expect(a2.body).toEqual(a1.body);
      expect(b1.body).toEqual({ owner: 'bob', n: 2 });
      expect(b2.body).toEqual(b1.body);
      expect(await keys('mine')).toEqual(['http:/d/mine;u=alice', 'http:/d/mine;u=bob']);
    });

    it('a per-user route whose cacheControl lacks private is refused with an error naming it', async () => {
      for (const user of ['alice:customer', undefined]) {
        const res = await get(0, 'bad-per-user', user);
        expect(res.status).toBe(500);
        expect(res.cacheControl).not.toBe('no-cache');
      }
      expect(runs['bad-per-user']).toBeUndefined();
      expect(await keys('bad-per-user')).toEqual([]);
      expect(logger.errors.join('\n')).toMatch(
        /@CacheResponse on DirectivesController\.badPerUser: a perUser route needs a cacheControl with private or no-store \(got "no-cache"\)/,
      );
    });

    it('a cacheControl with CR/LF is refused before anything is sent', async () => {
      const res = await get(0, 'header-injection');
      expect(res.status).toBe(500);
      expect(res.headers.get('x-injected')).toBeNull();
      expect(runs['header-injection']).toBeUndefined();
      expect(logger.errors.join('\n')).toMatch(
        /DirectivesController\.headerInjection: cacheControl must not contain CR, LF/,
      );
    });
  });

  describe('variant', () => {
    it('an admin and a customer get different bodies, cached under different keys', async () => {
      const admin = await get(0, 'by-role?t=keys', 'ops:admin');
      const customer = await get(1, 'by-role?t=keys', 'carol:customer');
      expect([admin.cache, customer.cache]).toEqual(['MISS', 'MISS']);
      expect(admin.body).toMatchObject({ view: 'everything' });
      expect(customer.body).toMatchObject({ view: 'public items' });
      const admin2 = await get(1, 'by-role?t=keys', 'root:admin');
      expect([admin2.cache, admin2.body]).toEqual(['HIT', admin.body]);
      expect(await keys('by-role')).toEqual([
        'http:/d/by-role;q=t=keys;v=admin',
        'http:/d/by-role;q=t=keys;v=public',
      ]);
    });

    it('two customers share one entry', async () => {
      const carol = await get(0, 'by-role?t=customers', 'carol:customer');
      const dave = await get(1, 'by-role?t=customers', 'dave:customer');
      expect([carol.cache, dave.cache]).toEqual(['MISS', 'HIT']);
      expect(dave.body).toEqual(carol.body);
      expect(dave.body).toMatchObject({ view: 'public items' });
    });

    it("anonymous and customer callers share the 'public' entry when the function says so", async () => {
      const before = runs['by-role'] ?? 0;
      const anonymous = await get(0, 'by-role?t=anon');
      const customer = await get(1, 'by-role?t=anon', 'carol:customer');
      expect([anonymous.cache, customer.cache]).toEqual(['MISS', 'HIT']);
      expect(customer.body).toEqual(anonymous.body);
      expect(runs['by-role']).toBe(before + 1);
      expect(await keys('by-role;q=t=anon')).toEqual(['http:/d/by-role;q=t=anon;v=public']);
      // The answer to a credentialed caller is never marked shareable by default, even from a shared entry.
      expect(anonymous.cacheControl).toBe('public, max-age=60');
      expect(customer.cacheControl).toBe('private, max-age=60');
    });

    it('an anonymous caller the function gives no label uses the plain key; a credentialed one bypasses', async () => {
      const anonymous = [await get(0, 'role'), await get(1, 'role')];
      expect(anonymous.map((a) => a.cache)).toEqual(['MISS', 'HIT']);
      expect(await keys('role')).toEqual(['http:/d/role']);
      const noRole = [await get(0, 'role', 'eve'), await get(1, 'role', 'eve')];
      expect(noRole.map((a) => a.cache)).toEqual(['BYPASS', 'BYPASS']);
      const admin = [await get(1, 'role', 'eve:admin'), await get(0, 'role', 'ops:admin')];
      expect(admin.map((a) => a.cache)).toEqual(['MISS', 'HIT']);
      expect(admin[1]?.body).toMatchObject({ role: 'admin' });
      expect(await keys('role')).toEqual(['http:/d/role', 'http:/d/role;v=admin']);
    });

    it('a variant function that throws bypasses (fail closed), for anonymous callers too', async () => {
      for (const user of ['eve:broken', 'eve:broken', undefined]) {
        expect((await get(0, 'fragile', user)).cache).toBe('BYPASS');
      }
      expect(runs['fragile']).toBe(3);
      const placed = [await get(0, 'fragile', 'ops:admin'), await get(1, 'fragile', 'ops:admin')];
      expect(placed.map((a) => a.cache)).toEqual(['MISS', 'HIT']);
      expect(await keys('fragile')).toEqual(['http:/d/fragile;v=admin']);
    });

    it.each([
      ['a separator', 'a;v=admin'],
      ['an encoded separator', 'admin%253Bv%253Dx'],
      ['CR/LF', 'admin%0D%0AX-Evil%3A%201'],
      ['33 characters', 'x'.repeat(33)],
      ['a space', 'has%20space'],
      ['nothing', ''],
    ])('a hostile label (%s) bypasses and creates no key', async (_name, role) => {
      const before = runs['role'] ?? 0;
      const known = await keys('role');
      for (let i = 0; i < 2; i++) {
        const res = await get(i, 'role', `eve:${role}`);
        expect([res.status, res.cache]).toEqual([200, 'BYPASS']);
        expect(res.headers.get('x-evil')).toBeNull();
      }
      expect(runs['role']).toBe(before + 2);
      expect(await keys('role')).toEqual(known);
      // The same route still caches a caller whose label is usable.
      const usable = [await get(0, 'role', 'eve:staff'), await get(1, 'role', 'eve:staff')];
      expect(usable.map((a) => a.cache)).toContain('HIT');
    });

    it("per-variant keys count against the route's key budget", async () => {
      const states: (string | null)[] = [];
      for (const role of ['a', 'b', 'c', 'a']) states.push((await get(0, 'budget', `u:${role}`)).cache);
      expect(states).toEqual(['MISS', 'MISS', 'BYPASS', 'HIT']);
      expect(await keys('budget')).toEqual(['http:/d/budget;v=a', 'http:/d/budget;v=b']);
    });

    it('variant together with perUser is refused with an error naming the route', async () => {
      const res = await get(0, 'variant-per-user', 'alice:customer');
      expect(res.status).toBe(500);
      expect(runs['variant-per-user']).toBeUndefined();
      expect(logger.errors.join('\n')).toMatch(
        /DirectivesController\.variantPerUser: variant is for shared routes/,
      );
    });
  });
});
