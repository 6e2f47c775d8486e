import { sleep, startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { CacheError } from '../src';
import { makeCache } from './helpers';

describe('Cache against a real Redis, three instances', () => {
  let redis: TestRedis;
  let instances: Array<Awaited<ReturnType<typeof makeCache>>>;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  beforeEach(async () => {
    await redis.cli('FLUSHALL');
    instances = await Promise.all(['a', 'b', 'c'].map((id) => makeCache(redis.url, id)));
  });

  afterEach(async () => {
    await Promise.all(instances.map((i) => i.close()));
    await redis.start();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('cache-aside: loads once, then serves from L1, and other instances from L2', async () => {
    const [a, b] = instances;
    let loads = 0;
    const loader = async () => ({ id: 42, at: new Date('2026-01-01'), total: 1999n, loads: ++loads });
    const first = await a.cache.getOrSet('order:42', loader);
    expect(await a.cache.getOrSet('order:42', loader)).toBe(first); // L1: same object, no I/O
    const fromB = await b.cache.getOrSet('order:42', loader);
    expect(fromB).toEqual(first);
    expect(fromB.at).toBeInstanceOf(Date);
    expect(typeof fromB.total).toBe('bigint');
    expect(loads).toBe(1);
  });

  it('50 concurrent getOrSet of one missing key across 3 instances run the loader once', async () => {
    let loads = 0;
    const loader = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 100));
      return 'value';
    };
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => instances[i % 3].cache.getOrSet('hot-key', loader)),
    );
    expect(results.every((r) => r === 'value')).toBe(true);
    expect(loads).toBe(1);
  });

  it('a write on one instance is seen by the other instances within 50 ms', async () => {
    const [a, b, c] = instances;
    await a.cache.set('user:1', { name: 'old' });
    expect(await b.cache.get('user:1')).toEqual({ name: 'old' });
    expect(await c.cache.get('user:1')).toEqual({ name: 'old' });
    const started = Date.now();
    await a.cache.set('user:1', { name: 'new' });
    await waitFor(
      'b and c see the new value',
      async () => {
        const [vb, vc] = await Promise.all([
          b.cache.get<{ name: string }>('user:1'),
          c.cache.get<{ name: string }>('user:1'),
        ]);
        return vb?.name === 'new' && vc?.name === 'new';
      },
      { intervalMs: 2 },
    );
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('tag invalidation and namespace version bumps reach every instance', async () => {
    const [a, b] = instances;
    await a.cache.set('order:1', 1, { tags: ['customer-7'] });
    await a.cache.set('order:2', 2, { tags: ['customer-8'] });
    await a.cache.set('list', [1], { namespace: 'catalog' });
    expect(await b.cache.get('order:1', { tags: ['customer-7'] })).toBe(1);
    expect(await b.cache.get('list', { namespace: 'catalog' })).toEqual([1]);

    expect(await a.cache.invalidateTags(['customer-7'])).toBe(true);
    await waitFor(
      'b drops the tagged entry',
      async () => (await b.cache.get('order:1', { tags: ['customer-7'] })) === undefined,
    );
    expect(await b.cache.get('order:2', { tags: ['customer-8'] })).toBe(2);

    expect(await b.cache.bumpNamespace('catalog')).toBe(true);
    await waitFor(
      'a drops the namespace',
      async () => (await a.cache.get('list', { namespace: 'catalog' })) === undefined,
    );
    expect(await redis.cli('GET', 'ct:cache-v:{test}:ns|catalog')).toBe('1'); // '|': no tag can forge it
  });

  it('with the bus subscriber killed and a message published meanwhile, the receiver expires its L1', async () => {
    const [a, b] = instances;
    await a.cache.set('price:1', 100);
    expect(await b.cache.get('price:1')).toBe(100);
    const gaps: string[] = [];
    b.cache.on('gap', (reason: string) => gaps.push(reason));
    const resubscribed = instances.map((i) => new Promise((resolve) => i.cache.once('gap', resolve)));
    // Kill b's subscriber connection; publish while it is away (the message is lost for b).
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await a.cache.set('price:1', 200);
    await waitFor('b noticed the gap', () => gaps.length > 0, { timeoutMs: 5000 });
    expect(await b.cache.get('price:1')).toBe(200);
    // Every instance lost its subscriber; let them all finish resubscribing before they are closed.
    await Promise.all(resubscribed);
  });

  it('SCAN-based pattern delete removes 100k keys without KEYS', async () => {
    const [a, b] = instances;
    const client = a.connections.shared('cache', 'background');
    for (let i = 0; i < 100_000; i += 5000) {
      const pipeline = client.pipeline();
      for (let j = i; j < i + 5000; j++) pipeline.set(`ct:cache:test:{session:${j}}`, 'x', 'EX', 600);
      await pipeline.exec();
    }
    await a.cache.set('keep:me', 1);
    await b.cache.set('session:local', 1);
    await redis.cli('CONFIG', 'RESETSTAT');
    const deleted = await a.cache.deleteByPattern('session:*');
    expect(deleted).toBe(100_001);
    expect(await client.dbsize()).toBeGreaterThanOrEqual(1);
    expect(await a.cache.get('keep:me')).toBe(1);
    await waitFor(
      'b dropped its L1 copy too',
      async () => (await b.cache.get('session:local')) === undefined,
    );
    const stats = await redis.cli('INFO', 'commandstats');
    expect(stats).toContain('cmdstat_scan');
    expect(stats).not.toContain('cmdstat_keys');
  });

  it('refuses an oversize entry with E_ENTRY_TOO_LARGE on set; getOrSet returns it uncached', async () => {
    const [a] = instances;
    const huge = 'x'.repeat(600 * 1024);
    await expect(a.cache.set('big', huge)).rejects.toMatchObject({ code: 'E_ENTRY_TOO_LARGE' });
    await expect(a.cache.set('big', huge)).rejects.toBeInstanceOf(CacheError);
    let loads = 0;
    expect(await a.cache.getOrSet('big', () => (loads++, huge))).toBe(huge);
    expect(await a.cache.getOrSet('big', () => (loads++, huge))).toBe(huge);
    expect(loads).toBe(2);
    expect(await redis.cli('EXISTS', 'ct:cache:test:{big}')).toBe('0');
  });

  it('a load that started before another instance wrote the key does not overwrite the newer value', async () => {
    const [a, b] = instances;
    let release!: () => void;
    const loading = new Promise<void>((r) => (release = r));
    // b loads from the source (the old row) while a writes the new value through.
    const slowLoad = b.cache.getOrSet('race:order', async () => {
      await loading;
      return { status: 'pending' };
    });
    await sleep(50);
    await a.cache.set('race:order', { status: 'paid' });
    await sleep(100); // the bus message reaches b (localhost: about a millisecond)
    release();
    expect(await slowLoad).toEqual({ status: 'pending' }); // the caller still gets what it loaded
    // ...but it was not cached: neither b's L1 nor L2 holds the old value.
    expect(await b.cache.get('race:order')).toEqual({ status: 'paid' });
    expect(await instances[2].cache.get('race:order')).toEqual({ status: 'paid' });
  });

  it('keeps at most 10,000 invalidation marks, however many keys are invalidated', async () => {
    const [a] = instances;
    // Internals on purpose: the bound is about memory, which no public API shows.
    const internals = a.cache as unknown as {
      onBusMessage(m: { s: string; q: number; k: string[] }): void;
      ledger: { size: number };
    };
    internals.onBusMessage({ s: 'other', q: 1, k: Array.from({ length: 25_000 }, (_, i) => `k:${i}`) });
    expect(internals.ledger.size).toBeLessThanOrEqual(10_000);
    // Forgetting marks only makes older operations skip caching; a load that begins afterwards caches.
    await a.cache.getOrSet('k:after', () => 1);
    expect(a.cache.l1Stats.entries).toBe(1);
  });

  it('every entry has a TTL in Redis', async () => {
    const [a] = instances;
    await a.cache.set('ttl:check', 1, { ttl: '30s', grace: 0 });
    const pttl = Number(await redis.cli('PTTL', 'ct:cache:test:{ttl:check}'));
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(33_000); // 30 s + up to 10 % jitter
  });

  it("stores an entry without TTL only when asked for by name (ttl: 'never'); 0 is refused", async () => {
    const [a, b] = instances;
    await expect(a.cache.set('ttl:zero', 1, { ttl: 0 })).rejects.toMatchObject({ code: 'E_NO_TTL' });
    await a.cache.set('ttl:never', { plan: 'gold' }, { ttl: 'never' });
    expect(await redis.cli('PTTL', 'ct:cache:test:{ttl:never}')).toBe('-1');
    expect(await b.cache.get('ttl:never')).toEqual({ plan: 'gold' });
    // The lease path (getOrSet miss) stores it the same way; deletes still reach it.
    expect(await a.cache.getOrSet('ttl:never2', () => 7, { ttl: 'never' })).toBe(7);
    expect(await redis.cli('PTTL', 'ct:cache:test:{ttl:never2}')).toBe('-1');
    await b.cache.delete('ttl:never');
    expect(await redis.cli('EXISTS', 'ct:cache:test:{ttl:never}')).toBe('0');
  });
});

describe('Cache metrics and L1 copies', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  const counts = async (registry: Registry, name: string) =>
    Object.fromEntries(
      (await registry.getSingleMetric(name)?.get())?.values.map((v) => [String(v.labels['tier']), v.value]) ??
        [],
    );

  it('counts hits and misses per tier', async () => {
    const registries = [new Registry(), new Registry()];
    const [a, b] = await Promise.all(
      ['a', 'b'].map((id, i) => makeCache(redis.url, `m-${id}`, { registry: registries[i] })),
    );
    try {
      await a.cache.getOrSet('tiers', () => 1); // a: L1 miss, L2 miss, loaded
      await b.cache.get('tiers'); // b: L1 miss, L2 hit
      await b.cache.get('tiers'); // b: L1 hit
      expect(await counts(registries[0], 'cache_misses_total')).toEqual({ l1: 1, l2: 1 });
      expect(await counts(registries[1], 'cache_misses_total')).toEqual({ l1: 1 });
      expect(await counts(registries[1], 'cache_hits_total')).toEqual({ l1: 1, l2: 1 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('shares the L1 object by default; copyOnRead gives each read its own copy with types intact', async () => {
    const shared = await makeCache(redis.url, 'copy-shared', { name: 'copies' });
    const copying = await makeCache(redis.url, 'copy-own', { name: 'copies-own', copyOnRead: true });
    try {
      const value = () => ({ items: ['a'], at: new Date('2026-01-01'), tags: new Set(['x']) });
      await shared.cache.set('v', value());
      (await shared.cache.get<{ items: string[] }>('v'))?.items.push('mutated');
      expect((await shared.cache.get<{ items: string[] }>('v'))?.items).toEqual(['a', 'mutated']);

      await copying.cache.set('v', value());
      const first = await copying.cache.get<ReturnType<typeof value>>('v');
      first?.items.push('mutated');
      const second = await copying.cache.get<ReturnType<typeof value>>('v');
      expect(second).toEqual(value());
      expect(second).not.toBe(first);
      expect(second?.at).toBeInstanceOf(Date);
      expect(second?.tags).toBeInstanceOf(Set);
      expect(copying.cache.l1Stats.entries).toBe(1); // it did come from L1
    } finally {
      await Promise.all([shared.close(), copying.close()]);
    }
  });
});

describe('Cache when Redis goes away', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('answers from L1 and the loader within the timeout while Redis is stopped, and recovers by itself', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    const a = await makeCache(redis.url, 'down-a', { breakerThreshold: 3, breakerCooldown: 300 });
    try {
      await a.cache.set('cached', 'from-l1', { l1Ttl: '1m' });
      await redis.stop();
      const started = Date.now();
      expect(await a.cache.getOrSet('cached', () => 'loader')).toBe('from-l1');
      expect(await a.cache.getOrSet('uncached', () => 'loader')).toBe('loader');
      // An invalidating write is never skipped silently: it says that L2 could not be changed.
      await expect(a.cache.set('write-while-down', 1)).rejects.toMatchObject({ code: 'E_L2_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(1500);
      // writeThrough: the store committed, so the write succeeds; the cache failure is reported aside.
      const failed: string[] = [];
      a.cache.on('write-through-cache-failed', (key) => failed.push(key));
      expect(await a.cache.writeThrough('wt-while-down', 2, async (v) => `stored ${v}`)).toBe('stored 2');
      expect(failed).toEqual(['wt-while-down']);
      for (let i = 0; i < 5; i++) await a.cache.getOrSet(`k${i}`, () => i);
      expect(a.cache.breakerState).toBe('open');

      await redis.start();
      await waitFor(
        'L2 used again',
        async () => {
          await a.cache.set('after', 'restart');
          return (await redis.cli('EXISTS', 'ct:cache:test:{after}')) === '1';
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(a.cache.breakerState).toBe('closed');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await a.close();
    }
  });

  it('serves a stale value within grace when the loader fails', async () => {
    const a = await makeCache(redis.url, 'stale-a');
    try {
      await a.cache.set('rate', 1.5, { ttl: 50, grace: '1m' });
      await new Promise((r) => setTimeout(r, 80));
      const served: string[] = [];
      a.cache.on('stale', (k: string) => served.push(k));
      expect(await a.cache.getOrSet('rate', () => Promise.reject(new Error('source down')))).toBe(1.5);
      expect(served).toEqual(['rate']);
      await expect(
        a.cache.getOrSet('no-stale', () => Promise.reject(new Error('source down'))),
      ).rejects.toThrow('source down');
    } finally {
      await a.close();
    }
  });

  it('a slow loader times out: hard timeout without stale, soft timeout returns stale', async () => {
    const a = await makeCache(redis.url, 'slow-a');
    try {
      const slow = () => new Promise<string>((r) => setTimeout(() => r('late'), 500));
      await expect(a.cache.getOrSet('slow', slow, { hardTimeout: 100 })).rejects.toMatchObject({
        code: 'E_LOADER_TIMEOUT',
      });
      await a.cache.set('slow2', 'old', { ttl: 20 });
      await new Promise((r) => setTimeout(r, 40));
      const started = Date.now();
      expect(await a.cache.getOrSet('slow2', slow, { softTimeout: 100 })).toBe('old');
      expect(Date.now() - started).toBeLessThan(400);
      await waitFor('the background load lands', async () => (await a.cache.get('slow2')) === 'late', {
        timeoutMs: 3000,
      });
    } finally {
      await a.close();
    }
  });
});

describe('server-assisted invalidation (CLIENT TRACKING, RESP2)', () => {
  it('a write by any other Redis client drops the L1 copy', async () => {
    const redis = await startTestRedis();
    const b = await makeCache(redis.url, 'track-b', { serverAssistedInvalidation: true });
    try {
      await b.cache.set('stock:1', 5);
      expect(await b.cache.get('stock:1')).toBe(5);
      // Another program rewrites the key directly (not through this library, no bus message).
      const other = b.connections.dedicated('cache', 'background', 'other-program');
      const started = Date.now();
      await other.set(
        'ct:cache:test:{stock:1}',
        await other.get('ct:cache:test:{stock:1}').then((v) => (v ?? '').replace('"v":5', '"v":7')),
      );
      await waitFor(
        'L1 copy dropped and the new value read',
        async () => (await b.cache.get('stock:1')) === 7,
        { intervalMs: 2 },
      );
      expect(Date.now() - started).toBeLessThan(200);
    } finally {
      await b.close();
      await redis.dispose();
    }
  });
});

describe('refresh ahead', () => {
  it('a hit late in the TTL refreshes the entry in the background and keeps serving the old value meanwhile', async () => {
    const redis = await startTestRedis();
    const a = await makeCache(redis.url, 'refresh-a', { refreshAhead: 0.5 });
    try {
      let version = 1;
      const loader = async () => version;
      const opts = { ttl: 3000 };
      expect(await a.cache.getOrSet('fx-rate', loader, opts)).toBe(1);
      version = 2;
      await new Promise((r) => setTimeout(r, 1600)); // past 50 % of the TTL, well before expiry
      expect(await a.cache.getOrSet('fx-rate', loader, opts)).toBe(1); // served at once, refresh started
      // Without refresh-ahead the old value would stay until ~3 s; with it the new one is there at once.
      await waitFor('refreshed value', async () => (await a.cache.getOrSet('fx-rate', loader, opts)) === 2, {
        timeoutMs: 500,
      });
    } finally {
      await a.close();
      await redis.dispose();
    }
  });
});
