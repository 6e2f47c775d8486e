import { Test } from '@nestjs/testing';
import { RedisModule } from '@shop/redis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { LeaderboardModule, Leaderboards } from '../src';

describe('LeaderboardModule', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('provides the configured boards on RedisModule connections', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisModule.forRoot({ url: redis.url, keyPrefix: 'mod', connectionName: 'mod' }),
        LeaderboardModule.forRoot({
          boards: ['customers-by-spend', 'products-by-quantity'],
          markerTtl: '1d',
          registry: new Registry(),
        }),
      ],
    }).compile();
    await moduleRef.init();
    try {
      const boards = moduleRef.get(Leaderboards);
      expect(boards.names()).toEqual(['customers-by-spend', 'products-by-quantity']);
      const spend = boards.get('customers-by-spend');
      expect(await spend.ready(5000)).toBe(true);
      expect(spend.options.markerTtlMs).toBe(86_400_000);
      expect(await spend.apply('m-1', [{ member: 'alice', delta: 42 }], new Date())).toBe('applied');
      expect(await spend.top('all', 1)).toEqual([{ member: 'alice', score: 42, rank: 1 }]);
      expect(await boards.get('products-by-quantity').top('all', 1)).toEqual([]);
      expect(() => boards.get('customers-by-spnd')).toThrow(/unknown leaderboard/);
    } finally {
      await moduleRef.close();
    }
  });
});
