import { Controller, Get, Module, Req, UseInterceptors, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisModule } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import type { NextFunction, Request, Response } from 'express';
import { Registry } from 'prom-client';
import { CacheModule, CacheResponse, HttpCacheInterceptor } from '../src';

type UserRequest = Request & { user?: Record<string, unknown> };

let handlerRuns = 0;

/** What a handler would personalise from: the user object, or the session behind a cookie. */
function viewer(req: UserRequest): string {
  if (req.user) return `user ${JSON.stringify(req.user)}`;
  const sid = /(?:^|;\s*)sid=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
  return sid ? `session ${sid}` : 'guest';
}

@Controller()
@UseInterceptors(HttpCacheInterceptor)
class ProfileController {
  @Get('me')
  @CacheResponse({ ttl: '1m', perUser: true, query: ['shape'] })
  me(@Req() req: UserRequest): { viewer: string } {
    handlerRuns++;
    return { viewer: viewer(req) };
  }

  @Get('news')
  @CacheResponse({ ttl: '1m', query: ['case'] })
  news(@Req() req: UserRequest): { viewer: string } {
    handlerRuns++;
    return { viewer: viewer(req) };
  }

  @Get('account')
  @CacheResponse({
    ttl: '1m',
    perUser: true,
    identify: (req) => (req as UserRequest).user?.['accountId'] as string | undefined,
  })
  account(@Req() req: UserRequest): { viewer: string } {
    handlerRuns++;
    return { viewer: viewer(req) };
  }

  @Get('themed')
  @CacheResponse({ ttl: '1m', allowCookies: ['theme'] })
  themed(): { page: string } {
    handlerRuns++;
    return { page: 'themed' };
  }
}

function appModule(url: string) {
  @Module({
    imports: [
      RedisModule.forRoot({ url, keyPrefix: 'hid' }),
      CacheModule.forRoot({ name: 'http-identity', registry: new Registry() }),
    ],
    controllers: [ProfileController],
  })
  class AppModule {}
  return AppModule;
}

describe('HttpCacheInterceptor: identity and credentials', () => {
  let redis: TestRedis;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    app = await NestFactory.create(appModule(redis.url), { logger: false, abortOnError: false });
    // Stands in for an auth middleware (Passport, a JWT guard): the user object arrives on `req.user`.
    app.use((req: UserRequest, _res: Response, next: NextFunction) => {
      const user = req.headers['x-test-user'];
      if (typeof user === 'string') req.user = JSON.parse(user) as Record<string, unknown>;
      next();
    });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    await waitFor('redis ready', async () => (await fetch(`${url}/news?case=warmup`)).status === 200);
  });

  afterAll(async () => {
    await app?.close();
    await redis?.dispose();
  });

  beforeEach(() => {
    handlerRuns = 0;
  });

  const as = (user: Record<string, unknown>) => ({ 'x-test-user': JSON.stringify(user) });

  it.each([
    ['userId', { userId: 'alice' }, { userId: 'bob' }],
    ['_id', { _id: 'alice' }, { _id: 'bob' }],
    ['sub', { sub: 'alice' }, { sub: 'bob' }],
    ['id', { id: 7 }, { id: 8 }],
  ])(
    'a perUser route keys on req.user.%s: Alice is never served to Bob or to anonymous',
    async (shape, alice, bob) => {
      const path = `${url}/me?shape=${shape}`;
      const first = await fetch(path, { headers: as(alice) });
      expect(first.headers.get('x-cache')).toBe('MISS');
      expect(await first.json()).toEqual({ viewer: `user ${JSON.stringify(alice)}` });
      const again = await fetch(path, { headers: as(alice) });
      expect(again.headers.get('x-cache')).toBe('HIT');
      expect(await again.json()).toEqual({ viewer: `user ${JSON.stringify(alice)}` });

      const bobs = await fetch(path, { headers: as(bob) });
      expect(await bobs.json()).toEqual({ viewer: `user ${JSON.stringify(bob)}` });
      const anonymous = await fetch(path);
      expect(await anonymous.json()).toEqual({ viewer: 'guest' });
    },
  );

  it('a user id equal to the anonymous marker does not share the anonymous entry', async () => {
    const anonymous = await fetch(`${url}/me?shape=marker`);
    expect(await anonymous.json()).toEqual({ viewer: 'guest' });
    const named = await fetch(`${url}/me?shape=marker`, { headers: as({ id: 'anonymous' }) });
    expect(await named.json()).toEqual({ viewer: 'user {"id":"anonymous"}' });
  });

  it.each([
    ['userId', { userId: 'alice' }],
    ['_id', { _id: 'alice' }],
    ['sub', { sub: 'alice' }],
    ['no id at all', { name: 'alice' }],
  ])(
    'a shared route bypasses any request with req.user set (%s), and stores nothing for others',
    async (shape, user) => {
      const path = `${url}/news?case=${encodeURIComponent(shape)}`;
      const alice = await fetch(path, { headers: as(user) });
      expect(alice.headers.get('x-cache')).toBe('BYPASS');
      expect(await alice.json()).toEqual({ viewer: `user ${JSON.stringify(user)}` });
      const anonymous = await fetch(path);
      expect(anonymous.headers.get('x-cache')).toBe('MISS');
      expect(await anonymous.json()).toEqual({ viewer: 'guest' });
    },
  );

  it('a perUser route bypasses a user whose id the extractor cannot resolve', async () => {
    const res = await fetch(`${url}/me?shape=unresolvable`, { headers: as({ email: 'alice@example.com' }) });
    expect(res.headers.get('x-cache')).toBe('BYPASS');
    const anonymous = await fetch(`${url}/me?shape=unresolvable`);
    expect(anonymous.headers.get('x-cache')).toBe('MISS');
    expect(await anonymous.json()).toEqual({ viewer: 'guest' });
  });

  it('a route-level identify() decides the id; a user it resolves nothing for bypasses', async () => {
    const known = await fetch(`${url}/account`, { headers: as({ accountId: 'acct-1', id: 'ignored' }) });
    expect(known.headers.get('x-cache')).toBe('MISS');
    const sameAccount = await fetch(`${url}/account`, { headers: as({ accountId: 'acct-1', id: 'other' }) });
    expect(sameAccount.headers.get('x-cache')).toBe('HIT');
    const unknown = await fetch(`${url}/account`, { headers: as({ id: 'alice' }) });
    expect(unknown.headers.get('x-cache')).toBe('BYPASS');
  });

  it('a session cookie named sid bypasses a shared route, and its body is never served to others', async () => {
    const alice = await fetch(`${url}/news?case=sid`, { headers: { Cookie: 'sid=alice-session' } });
    expect(alice.headers.get('x-cache')).toBe('BYPASS');
    expect(await alice.json()).toEqual({ viewer: 'session alice-session' });
    const anonymous = await fetch(`${url}/news?case=sid`);
    expect(await anonymous.json()).toEqual({ viewer: 'guest' });
  });

  it('a perUser route bypasses an sid cookie it cannot resolve to a user', async () => {
    const res = await fetch(`${url}/me?shape=sid`, { headers: { Cookie: 'sid=alice-session' } });
    expect(res.headers.get('x-cache')).toBe('BYPASS');
    expect(await (await fetch(`${url}/me?shape=sid`)).json()).toEqual({ viewer: 'guest' });
  });

  it.each(['remember_me=1', 'uid=42', 'x=1', '_ga=1; cart=abc'])(
    'an unknown cookie (%s) counts as a credential',
    async (cookie) => {
      const res = await fetch(`${url}/news?case=${encodeURIComponent(cookie)}`, {
        headers: { Cookie: cookie },
      });
      expect(res.headers.get('x-cache')).toBe('BYPASS');
    },
  );

  it('allow-listed analytics cookies (_ga, _ga_<id>, _gid, _gat, _fbp) are still cached', async () => {
    const first = await fetch(`${url}/news?case=analytics`, {
      headers: { Cookie: '_ga=GA1.2.3.4; _gid=GA1.2.5' },
    });
    expect(first.headers.get('x-cache')).toBe('MISS');
    const second = await fetch(`${url}/news?case=analytics`, {
      headers: { Cookie: '_ga_ABC123=GS1.1; _gat=1; _fbp=fb.1.2' },
    });
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.json()).toEqual({ viewer: 'guest' });
    expect(handlerRuns).toBe(1);
  });

  it('a route can allow-list its own harmless cookies; the Authorization header always bypasses', async () => {
    expect((await fetch(`${url}/themed`, { headers: { Cookie: 'theme=dark' } })).headers.get('x-cache')).toBe(
      'MISS',
    );
    expect(
      (await fetch(`${url}/themed`, { headers: { Cookie: 'theme=light; _ga=1' } })).headers.get('x-cache'),
    ).toBe('HIT');
    expect(
      (await fetch(`${url}/themed`, { headers: { Cookie: 'theme=dark; sid=1' } })).headers.get('x-cache'),
    ).toBe('BYPASS');
    expect(
      (await fetch(`${url}/themed`, { headers: { Authorization: 'Bearer x' } })).headers.get('x-cache'),
    ).toBe('BYPASS');
  });
});
