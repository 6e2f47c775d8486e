import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { makeCache } from './helpers';

type Instance = Awaited<ReturnType<typeof makeCache>>;

/** The number of tag versions an instance keeps (reaches into the private store: memory is the point). */
function knownTags(instance: Instance): number {
  return (instance.cache as unknown as { versions: { local: Map<string, number> } }).versions.local.size;
}

describe('the invalidation bus over an instance lifetime: start-up, FLUSHALL, memory', () => {
  let redis: TestRedis;
  const open: Instance[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterEach(async () => {
    await redis.start();
    await Promise.all(open.splice(0).map((i) => i.close()));
    await redis.cli('FLUSHALL');
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('connect() returns within the connect timeout while Redis is down; L1 serves no hits until the bus listens', async () => {
    await redis.stop();
    const started = Date.now();
    const b = await makeCache(redis.url, 'b');
    open.push(b);
    expect(Date.now() - started).toBeLessThan(4_000); // connectTimeoutMs defaults to 2 s
    const gaps: string[] = [];
    b.cache.on('gap', (reason: string) => gaps.push(reason));
    // L2 unreachable: set() says so (and keeps no L1 copy); a load fills only L1, which is not trusted yet.
    await expect(b.cache.set('price:1', 100)).rejects.toMatchObject({ code: 'E_L2_UNAVAILABLE' });
    expect(await b.cache.getOrSet('price:1', () => 100)).toBe(100);
    expect(await b.cache.get('price:1')).toBeUndefined();

    await redis.start();
    // The first subscription, late: whatever L1 holds from before is expired.
    await waitFor('b subscribed and expired L1', () => gaps.includes('reconnect'), { timeoutMs: 10_000 });
    const a = await makeCache(redis.url, 'a');
    open.push(a);
    await a.cache.set('price:1', 200);
    // b's request connection and breaker recover on their own schedule after the restart: wait for it.
    await waitFor('b reads 200 (now in its L1)', async () => (await b.cache.get('price:1')) === 200);
    await a.cache.set('price:1', 300); // only the bus can tell b
    await waitFor('b hears the bus', async () => (await b.cache.get('price:1')) === 300);
  }, 30_000);

  it('server-assisted invalidation: FLUSHALL expires every L1', async () => {
    const a = await makeCache(redis.url, 'a', { serverAssistedInvalidation: true });
    open.push(a);
    await a.cache.set('price:1', 100);
    expect(await a.cache.get('price:1')).toBe(100);
    const gaps: string[] = [];
    a.cache.on('gap', (reason: string) => gaps.push(reason));
    await redis.cli('FLUSHALL');
    await waitFor('a expired its L1', () => gaps.includes('flush'));
    expect(await a.cache.get('price:1')).toBeUndefined();
    expect(a.cache.l1Stats.entries).toBe(0);
  });

  it('20k tags bumped on another instance are not kept here; tags in use here still follow the bus', async () => {
    const [a, b] = await Promise.all([makeCache(redis.url, 'a'), makeCache(redis.url, 'b')]);
    open.push(a, b);
    await a.cache.set('order:1', 1, { tags: ['customer-1'] });
    expect(await b.cache.get('order:1', { tags: ['customer-1'] })).toBe(1); // b now knows customer-1
    for (let i = 0; i < 20_000; i += 500)
      await a.cache.invalidateTags(Array.from({ length: 500 }, (_, j) => `bulk-${i + j}`));
    await a.cache.invalidateTags(['customer-1']);
    await waitFor(
      'b dropped the entry of the bumped tag',
      async () => (await b.cache.get('order:1', { tags: ['customer-1'] })) === undefined,
    );
    expect(knownTags(b)).toBeLessThan(10);
  }, 30_000);
});
