import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import { SkipThrottle, Throttle, ThrottlerModule } from '@nestjs/throttler';
import { startTestRedis, type TestRedis } from '@shop/testing';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  RateLimitGuard,
  RateLimitThrottlerStorage,
  rateLimitMiddleware,
  type RateLimiter,
  type RateLimitPolicy,
} from '../src';
import { makeLimiter } from './helpers';

type Instance = Awaited<ReturnType<typeof makeLimiter>>;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

describe('HTTP integration (real apps on 127.0.0.1, two instances)', () => {
  let redis: TestRedis;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    redis = await startTestRedis();
    const policies: RateLimitPolicy[] = [{ name: 'api', limit: 3, window: '10s' }];
    a = await makeLimiter(redis.url, 'http-a', { policies });
    b = await makeLimiter(redis.url, 'http-b', { policies });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.dispose();
  });

  describe('Express middleware', () => {
    const servers: Server[] = [];
    const urls: string[] = [];

    beforeAll(async () => {
      for (const instance of [a, b]) {
        const app = express();
        app.use('/api', rateLimitMiddleware({ limiter: instance.limiter, policies: ['api'] }));
        app.get('/api/x', (_req, res) => {
          res.json({ ok: true });
        });
        app.get('/free', (_req, res) => {
          res.json({ ok: true });
        });
        const server = createServer(app); // bound to loopback below, not every interface
        urls.push(await listen(server));
        servers.push(server);
      }
    });

    afterAll(async () => {
      await Promise.all(servers.map(close));
    });

    it('sets RateLimit-Policy and RateLimit, then answers 429 with Retry-After and a JSON body', async () => {
      const responses = [];
      for (let i = 0; i < 3; i++) responses.push(await fetch(`${urls[i % 2]}/api/x`));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(responses[0].headers.get('ratelimit-policy')).toBe('"api";q=3;w=10');
      // counter mode: the unit leaves the trailing window at the end of the NEXT sub-window (W..2W)
      const t = Number(/^"api";r=2;t=(\d+)$/.exec(responses[0].headers.get('ratelimit') as string)?.[1]);
      expect(t).toBeGreaterThanOrEqual(10);
      expect(t).toBeLessThanOrEqual(20);
      expect(responses[2].headers.get('ratelimit')).toMatch(/^"api";r=0;t=\d+$/);
      // the client tries to look like someone else: ignored, no proxy is trusted
      const limited = await fetch(`${urls[1]}/api/x`, { headers: { 'X-Forwarded-For': '9.9.9.9' } });
      expect(limited.status).toBe(429);
      const retryAfter = limited.headers.get('retry-after') as string;
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeLessThanOrEqual(20);
      expect(limited.headers.get('content-type')).toContain('application/json');
      expect(await limited.json()).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringContaining('api'),
        code: 'E_RATE_LIMITED',
      });
      const free = await fetch(`${urls[0]}/free`);
      expect(free.status).toBe(200);
      expect(free.headers.get('ratelimit')).toBeNull();
    });
  });

  describe('Nest through @nestjs/throttler', () => {
    const apps: INestApplication[] = [];
    const urls: string[] = [];

    @Controller()
    class ProbeController {
      @Get('a')
      a() {
        return { ok: true };
      }

      @Throttle({ default: { limit: 2, ttl: 5000 } })
      @Get('b')
      b() {
        return { ok: true };
      }

      @SkipThrottle()
      @Get('c')
      c() {
        return { ok: true };
      }
    }

    const appModule = (limiter: RateLimiter) => {
      @Module({
        imports: [
          ThrottlerModule.forRoot({
            throttlers: [{ name: 'default', limit: 3, ttl: 10_000 }],
            storage: new RateLimitThrottlerStorage(limiter),
          }),
        ],
        controllers: [ProbeController],
        providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
      })
      class ProbeModule {}
      return ProbeModule;
    };

    beforeAll(async () => {
      for (const instance of [a, b]) {
        const app = await NestFactory.create(appModule(instance.limiter), { logger: false });
        await app.init();
        urls.push(await listen(app.getHttpServer() as Server));
        apps.push(app);
      }
    });

    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });

    it('limits with the throttler decorators, IETF headers and the JSON 429, shared by both instances', async () => {
      const a1 = await fetch(`${urls[0]}/a`);
      expect(a1.status).toBe(200);
      expect(a1.headers.get('ratelimit-policy')).toBe('"default";q=3;w=10');
      expect(a1.headers.get('ratelimit')).toMatch(/^"default";r=2;t=\d+$/);
      expect(a1.headers.get('x-ratelimit-limit')).toBeNull();
      expect((await fetch(`${urls[1]}/a`)).status).toBe(200);
      expect((await fetch(`${urls[0]}/a`)).status).toBe(200);
      const denied = await fetch(`${urls[1]}/a`);
      expect(denied.status).toBe(429);
      expect(denied.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await denied.json()).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.any(String),
        code: 'E_RATE_LIMITED',
      });

      // @Throttle overrides the limit of one route; its counter is its own
      expect((await fetch(`${urls[0]}/b`)).headers.get('ratelimit-policy')).toBe('"default";q=2;w=5');
      expect((await fetch(`${urls[1]}/b`)).status).toBe(200);
      expect((await fetch(`${urls[0]}/b`)).status).toBe(429);

      // @SkipThrottle: never limited, no headers
      for (let i = 0; i < 5; i++) {
        const c = await fetch(`${urls[i % 2]}/c`);
        expect(c.status).toBe(200);
        expect(c.headers.get('ratelimit')).toBeNull();
      }
    });
  });
});
