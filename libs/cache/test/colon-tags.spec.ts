import { useTwoCaches } from './helpers';

// Tags such as `order:<id>` and `customer:<id>:orders` (what the orders service tags with) version and
// invalidate like any other, on every instance.
describe('tags with ":"', () => {
  const t = useTwoCaches();

  it('invalidates an entry tagged customer:<id>:orders on every instance', async () => {
    let loads = 0;
    const load = () =>
      t.a.cache.getOrSet('orders:c.alice:first', async () => ++loads, { tags: ['customer:alice:orders'] });
    const loadB = () =>
      t.b.cache.getOrSet('orders:c.alice:first', async () => ++loads, { tags: ['customer:alice:orders'] });
    expect(await load()).toBe(1);
    expect(await loadB()).toBe(1);
    expect(await t.a.cache.invalidateTags(['customer:alice:orders'])).toBe(true);
    expect(await load()).toBe(2);
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && (await loadB()) !== 2) await new Promise((r) => setTimeout(r, 10));
    expect(await loadB()).toBe(2);
    expect(await t.redis.cli('EXISTS', 'ct:cache-v:{test}:customer/alice/orders')).toBe('1');
  });
});
