import { startTestRedis, type TestRedis } from '@shop/testing';
import { makeLimiter } from './helpers';

describe('identity hash cache (real Redis)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('does not keep long identities: 10,000 of them would hold 10,000 times their length', async () => {
    const a = await makeLimiter(redis.url, 'tags');
    try {
      const policy = { name: 'p', limit: 5, window: '1m', mode: 'counter' } as const;
      const long = (i: number) => `${i}:`.padEnd(8192, 'k'); // an API key header an attacker picks
      for (let i = 0; i < 20; i++) await a.limiter.consume(long(i), [policy]);
      await a.limiter.consume('user-1', [policy]);
      const tags = (a.limiter as unknown as { tags: Map<string, string> }).tags;
      const held = [...tags.keys()].reduce((sum, k) => sum + k.length, 0);
      expect(held).toBeLessThan(8192);
      expect(tags.has('user-1')).toBe(true); // the common short identity is still remembered
      // The same decisions either way: a long identity's key is its hash, computed each time.
      expect((await a.limiter.consume(long(0), [policy])).policies[0].remaining).toBe(3);
    } finally {
      await a.close();
    }
  });
});
