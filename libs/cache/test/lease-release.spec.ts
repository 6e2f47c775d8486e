import { useTwoCaches } from './helpers';

// A load that fails releases its lease; instances waiting for its value must notice and load
// themselves, not wait out lockTimeout for a value that never comes (every concurrent read of a
// missing row took 3 s).
describe('a failed load and the instances waiting on its lease', () => {
  const t = useTwoCaches({ lockTimeout: 3000 });

  it('lets a waiter go as soon as the holder failed', async () => {
    const missing = () =>
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not found')), 100));
    const holder = t.a.cache.getOrSet('row:missing', missing);
    await new Promise((r) => setTimeout(r, 20)); // a holds the lease now
    const started = Date.now();
    const waiter = t.b.cache.getOrSet('row:missing', missing);
    await expect(holder).rejects.toThrow('not found');
    await expect(waiter).rejects.toThrow('not found');
    expect(Date.now() - started).toBeLessThan(1000); // before: ~3,000 ms (lockTimeout)
  });

  it('still hands the holder value to a waiter', async () => {
    let loads = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++loads), 100));
    const holder = t.a.cache.getOrSet('row:present', slow);
    await new Promise((r) => setTimeout(r, 20));
    expect(await t.b.cache.getOrSet('row:present', slow)).toBe(1);
    expect(await holder).toBe(1);
    expect(loads).toBe(1);
  });
});
