import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Cache, Cacheable, CacheEvict, CachePut } from '../src';
import { makeCache } from './helpers';

class OrdersRepository {
  loads = 0;
  readonly rows = new Map<string, { id: string; status: string }>([['1', { id: '1', status: 'pending' }]]);

  constructor(readonly cache: Cache) {}

  @Cacheable({ key: (id: string) => `order:${id}`, tags: (id: string) => [`order-${id}`] })
  async find(id: string): Promise<{ id: string; status: string } | null> {
    this.loads++;
    return this.rows.get(id) ?? null;
  }

  @CachePut({ key: (id: string) => `order:${id}`, tags: (id: string) => [`order-${id}`] })
  async updateStatus(id: string, status: string): Promise<{ id: string; status: string }> {
    const row = { id, status };
    this.rows.set(id, row);
    return row;
  }

  @CacheEvict({ keys: (id: string) => [`order:${id}`] })
  async remove(id: string): Promise<void> {
    this.rows.delete(id);
  }
}

describe('cache decorators (read-through, write-through, evict) across two instances', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('reads through once, writes through to every instance, evicts everywhere', async () => {
    const [a, b] = await Promise.all([makeCache(redis.url, 'dec-a'), makeCache(redis.url, 'dec-b')]);
    try {
      const repoA = new OrdersRepository(a.cache);
      const repoB = new OrdersRepository(b.cache);
      repoB.rows.set('1', { id: '1', status: 'pending' });
      expect(await repoA.find('1')).toEqual({ id: '1', status: 'pending' });
      expect(await repoA.find('1')).toEqual({ id: '1', status: 'pending' });
      expect(await repoB.find('1')).toEqual({ id: '1', status: 'pending' });
      expect(repoA.loads + repoB.loads).toBe(1);

      await repoA.updateStatus('1', 'paid');
      await waitFor(
        'b sees the written-through value',
        async () => (await repoB.find('1'))?.status === 'paid',
      );
      expect(repoB.loads).toBe(0);

      await repoA.remove('1');
      await waitFor('b reloads after the eviction', async () => {
        await repoB.find('1');
        return repoB.loads === 1;
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
