import { Test } from '@nestjs/testing';
import { RedisModule } from '@shop/redis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { RateLimiter, RateLimitModule } from '../src';

describe('RateLimitModule', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await redis?.dispose();
  });

  it('provides a RateLimiter on RedisModule connections with the configured policies', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisModule.forRoot({ url: redis.url, keyPrefix: 'mod', connectionName: 'mod' }),
        RateLimitModule.forRoot({ policies: [{ name: 'api', limit: 1, window: '10s' }] }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const limiter = moduleRef.get(RateLimiter);
      expect(await limiter.ready(5000)).toBe(true);
      expect((await limiter.consume('x', ['api'])).allowed).toBe(true);
      const denied = await limiter.consume('x', ['api']);
      expect([denied.allowed, denied.policies[0].source]).toEqual([false, 'redis']);
      expect(() => limiter.policy('nope')).toThrow(/unknown/);
    } finally {
      await moduleRef.close();
    }
  });
});
