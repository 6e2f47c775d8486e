import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import express from 'express';
import { Redis } from 'ioredis';
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

const TIMEOUT = 200;
const policies: RateLimitPolicy[] = [
  { name: 'login', limit: 2, window: '10s', mode: 'log', onRedisDown: 'fail-closed' },
  { name: 'api', limit: 3, window: '10s' }, // onRedisDown: 'local' by default
  { name: 'open', limit: 1, window: '10s', onRedisDown: 'fail-open' },
];

@Controller()
class NestLoginController {
  @Get('nest-login')
  login(): { ok: true } {
    return { ok: true };
  }
}

/** The Nest integration as a user configures it: a fail-closed `login` throttler on the lib's storage. */
function nestApp(limiter: RateLimiter) {
  @Module({
    imports: [
      ThrottlerModule.forRoot({
        throttlers: [{ name: 'login', limit: 2, ttl: 10_000 }],
        storage: new RateLimitThrottlerStorage(limiter, {
          modes: { login: 'log' },
          onRedisDown: { login: 'fail-closed' },
        }),
      }),
    ],
    controllers: [NestLoginController],
    providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
  })
  class NestLoginModule {}
  return NestFactory.create(NestLoginModule, { logger: false });
}

describe('Redis down: per-policy failure modes, bounded waits, recovery', () => {
  let redis: TestRedis;
  let a: Awaited<ReturnType<typeof makeLimiter>>;
  let b: Awaited<ReturnType<typeof makeLimiter>>;
  let server: Server;
  let url: string;
  let nest: INestApplication;
  let nestUrl: string;

  beforeAll(async () => {
    redis = await startTestRedis();
    const options = { policies, timeout: TIMEOUT, breakerThreshold: 3, breakerCooldown: 300 };
    a = await makeLimiter(redis.url, 'down-a', options);
    b = await makeLimiter(redis.url, 'down-b', options);
    const app = express();
    app.post('/login', rateLimitMiddleware({ limiter: a.limiter, policies: ['login'] }), (_q, res) => {
      res.json({ ok: true });
    });
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    nest = await nestApp(a.limiter);
    await nest.listen(0, '127.0.0.1');
    nestUrl = await nest.getUrl();
  });

  afterAll(async () => {
    await nest?.close();
    await new Promise<void>((r) => server?.close(() => r()));
    await a?.close();
    await b?.close();
    await redis?.dispose();
  });

  it('answers within the timeout when Redis stalls', async () => {
    const stall = new Redis(redis.url, { protocol: 2 });
    const sleeping = stall.call('DEBUG', 'SLEEP', '1.5');
    await new Promise((r) => setTimeout(r, 50)); // let the server enter the sleep
    const started = Date.now();
    const decision = await b.limiter.consume('stall', ['login', 'api']);
    const elapsed = Date.now() - started;
    await sleeping;
    stall.disconnect();
    expect(elapsed).toBeLessThan(TIMEOUT + 150);
    expect(decision.unavailable).toBe(true); // login is fail-closed
    expect(decision.policies.map((p) => p.source)).toEqual(['fail-closed', 'local']);
    const failures = await b.registry.getSingleMetric('rate_limit_redis_failures_total')?.get();
    expect(failures?.values).toEqual(
      expect.arrayContaining([expect.objectContaining({ labels: { limiter: 'down-b', reason: 'timeout' } })]),
    );
    // Redis answers again: the next decision is Redis' own
    await waitFor(
      'redis decisions',
      async () => (await b.limiter.consume('stall-2', ['api'])).policies[0].source === 'redis',
    );
  });

  it('stopped: fail-closed answers 503 fast, local keeps limiting in process, fail-open allows; then recovers', async () => {
    expect((await fetch(`${url}/login`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${nestUrl}/nest-login`)).status).toBe(200);
    await redis.stop();

    const started = Date.now();
    const login = await fetch(`${url}/login`, { method: 'POST' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT + 300);
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await login.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.any(String),
      code: 'E_RATE_LIMIT_UNAVAILABLE',
    });
    // Through @nestjs/throttler's guard and the lib's storage: a 503 with the same body, not a 500.
    const nestStarted = Date.now();
    const nestLogin = await fetch(`${nestUrl}/nest-login`);
    expect(Date.now() - nestStarted).toBeLessThan(TIMEOUT + 300);
    expect(nestLogin.status).toBe(503);
    expect(await nestLogin.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.any(String),
      code: 'E_RATE_LIMIT_UNAVAILABLE',
    });

    const api = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      api.push(await a.limiter.consume('client-x', ['api']));
      expect(Date.now() - t0).toBeLessThan(TIMEOUT + 50);
    }
    expect(api.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(api.every((d) => d.policies[0].source === 'local')).toBe(true);
    expect(api[3].retryAfterMs).toBeGreaterThan(0);

    const open = [];
    for (let i = 0; i < 3; i++) open.push(await a.limiter.consume('client-x', ['open']));
    expect(open.map((d) => [d.allowed, d.policies[0].source])).toEqual([
      [true, 'fail-open'],
      [true, 'fail-open'],
      [true, 'fail-open'],
    ]);
    expect(a.limiter.breakerState).not.toBe('closed'); // no Redis call at all while open

    const decisions = await a.registry.getSingleMetric('rate_limit_decisions_total')?.get();
    const count = (source: string) =>
      decisions?.values.filter((v) => v.labels['source'] === source).reduce((s, v) => s + v.value, 0) ?? 0;
    expect(count('local')).toBe(5);
    expect(count('fail-open')).toBe(3);
    expect(count('fail-closed')).toBeGreaterThanOrEqual(1);

    await redis.start();
    // no app restart: the client reconnects, the breaker lets a trial through and closes
    await waitFor(
      'decisions from Redis again',
      async () => (await a.limiter.consume('probe', ['api'])).policies[0].source === 'redis',
      { timeoutMs: 10_000 },
    );
    expect((await fetch(`${url}/login`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${nestUrl}/nest-login`)).status).toBe(200);
    expect(a.limiter.breakerState).toBe('closed');
  });
});
