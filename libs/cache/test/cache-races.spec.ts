import { sleep, startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Redis } from 'ioredis';
import { makeCache } from './helpers';

type Instance = Awaited<ReturnType<typeof makeCache>>;

/** A loader that starts, then waits until the test lets it finish. */
function pausedLoader<T>(value: T) {
  let release!: () => void;
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  const gate = new Promise<void>((r) => (release = r));
  return {
    started,
    release,
    load: async () => {
      markStarted();
      await gate;
      return value;
    },
  };
}

/** Runs `after` right after the instance handled each bus message (a peer reading "in between"). */
function onEachBusMessage(instance: Instance, after: () => void): void {
  const internals = instance.cache as unknown as { onBusMessage(m: unknown): void };
  const original = internals.onBusMessage.bind(instance.cache);
  internals.onBusMessage = (m: unknown) => {
    original(m);
    after();
  };
}

describe('Cache ordering and invalidation races (real Redis)', () => {
  let redis: TestRedis;
  let instances: Instance[];

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  beforeEach(async () => {
    await redis.cli('FLUSHALL');
    instances = await Promise.all(['a', 'b', 'c'].map((id) => makeCache(redis.url, id)));
  });

  afterEach(async () => {
    await Promise.all(instances.map((i) => i.close()));
    await redis.cli('CONFIG', 'SET', 'maxmemory', '0');
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('a tag invalidation during a load leaves the stored entry stale at once, on every instance', async () => {
    const [a, b, c] = instances;
    await a.cache.get('warm', { tags: ['product-1'] }); // a knows version 0 of the tag
    const load = pausedLoader({ price: 100 });
    const loading = a.cache.getOrSet('product:1', load.load, { tags: ['product-1'] });
    await load.started;
    expect(await b.cache.invalidateTags(['product-1'])).toBe(true);
    await sleep(20); // the bus message reaches a before its load ends (worst case for the old code)
    load.release();
    expect(await loading).toEqual({ price: 100 });
    expect(await c.cache.get('product:1', { tags: ['product-1'] })).toBeUndefined();
    expect(await a.cache.get('product:1', { tags: ['product-1'] })).toBeUndefined();
  });

  it('a tag bump nobody announced (no bus message) still leaves the entry loaded before it stale', async () => {
    const [a, , c] = instances;
    const load = pausedLoader('old row');
    const loading = a.cache.getOrSet('product:2', load.load, { tags: ['product-2'] });
    await load.started;
    await redis.cli('INCR', 'ct:cache-v:{test}:product-2'); // another instance's bump, message lost
    load.release();
    expect(await loading).toBe('old row');
    expect(await c.cache.get('product:2', { tags: ['product-2'] })).toBeUndefined();
  });

  it('a namespace bump during a load leaves the stored entry stale at once', async () => {
    const [a, b, c] = instances;
    const load = pausedLoader(['old list']);
    const loading = a.cache.getOrSet('list', load.load, { namespace: 'catalog' });
    await load.started;
    expect(await b.cache.bumpNamespace('catalog')).toBe(true);
    load.release();
    await loading;
    expect(await c.cache.get('list', { namespace: 'catalog' })).toBeUndefined();
    expect(await a.cache.get('list', { namespace: 'catalog' })).toBeUndefined();
  });

  it('set() and delete() with the breaker open still change L2 (or the peers would re-read the old value)', async () => {
    const [a, b] = instances;
    await a.cache.set('price:1', 'old');
    expect(await b.cache.get('price:1')).toBe('old');
    const breaker = (a.cache as unknown as { breaker: { failure(): void } }).breaker;
    for (let i = 0; i < 10; i++) breaker.failure();
    expect(a.cache.breakerState).toBe('open');
    await a.cache.set('price:1', 'new');
    expect(await redis.cli('GET', 'ct:cache:test:{price:1}')).toContain('new');
    await waitFor('b sees the new value', async () => (await b.cache.get('price:1')) === 'new');
    for (let i = 0; i < 10; i++) breaker.failure();
    await a.cache.delete('price:1');
    expect(await redis.cli('EXISTS', 'ct:cache:test:{price:1}')).toBe('0');
  });

  it('a set() whose L2 write fails removes the key instead of leaving the old value for the peers', async () => {
    const [a, b] = instances;
    await a.cache.set('price:2', 'old');
    expect(await b.cache.get('price:2')).toBe('old');
    await redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await redis.cli('CONFIG', 'SET', 'maxmemory', '1'); // every SET now fails with OOM; DEL still works
    await a.cache.set('price:2', 'new');
    await redis.cli('CONFIG', 'SET', 'maxmemory', '0');
    expect(await redis.cli('EXISTS', 'ct:cache:test:{price:2}')).toBe('0');
    await waitFor('b dropped the old value', async () => (await b.cache.get('price:2')) === undefined);
    expect(await a.cache.get('price:2')).toBeUndefined();
  });

  it('set() and delete() reject with E_L2_UNAVAILABLE when L2 could not be changed at all', async () => {
    const [a] = instances;
    await a.cache.set('price:3', 'old');
    await redis.stop();
    try {
      await expect(a.cache.set('price:3', 'new')).rejects.toMatchObject({ code: 'E_L2_UNAVAILABLE' });
      await expect(a.cache.delete('price:3')).rejects.toMatchObject({ code: 'E_L2_UNAVAILABLE' });
      expect(a.cache.l1Stats.entries).toBe(0); // the local copy is dropped either way
    } finally {
      await redis.start();
    }
  });

  it('set() applies its L2 write before any peer can receive its bus message', async () => {
    const [a, b] = instances;
    // monitor() opens a connection of its own: the client it came from must be closed too, or it
    // reconnects forever once this file's Redis is gone and Jest never exits.
    const client = new Redis(redis.url);
    const monitor = await client.monitor();
    const log: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'set' && args[1] === 'ct:cache:test:{order:7}') log.push('set');
      if (args[0]?.toLowerCase() === 'publish') log.push('publish');
    });
    // b reads the key the moment it hears the message, as a request arriving then would.
    const seen: unknown[] = [];
    onEachBusMessage(b, () => void b.cache.get('order:7').then((v) => seen.push(v)));
    try {
      for (let i = 1; i <= 20; i++) {
        await a.cache.set('order:7', { version: i });
        await waitFor(`b read after message ${i}`, () => seen.length === i, { intervalMs: 2 });
      }
      await waitFor('monitor caught up', () => log.length >= 40, { intervalMs: 5 });
      const pairs = Array.from({ length: 20 }, (_, i) => `${log[2 * i]}>${log[2 * i + 1]}`);
      expect(pairs).toEqual(Array(20).fill('set>publish'));
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => ({ version: i + 1 })));
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
  });

  it('a load whose lease was lost does not write L2', async () => {
    const [a, c] = [instances[0], instances[2]];
    const load = pausedLoader('from the slow load');
    const loading = a.cache.getOrSet('order:10', load.load);
    await load.started;
    // The lease expired and another instance took it (it will write the newer value).
    await redis.cli('SET', 'ct:cache:test:{order:10}:lease', 'someone-else', 'PX', '10000');
    load.release();
    expect(await loading).toBe('from the slow load');
    expect(await redis.cli('EXISTS', 'ct:cache:test:{order:10}')).toBe('0');
    expect(await c.cache.get('order:10')).toBeUndefined();
  });

  it('set() and delete() void a lease held by a load in flight', async () => {
    const [a, b] = instances;
    for (const invalidate of [() => b.cache.set('order:11', 'new'), () => b.cache.delete('order:11')]) {
      await redis.cli('DEL', 'ct:cache:test:{order:11}');
      const load = pausedLoader('old');
      const loading = a.cache.getOrSet('order:11', load.load);
      await load.started;
      expect(await redis.cli('EXISTS', 'ct:cache:test:{order:11}:lease')).toBe('1');
      await invalidate();
      expect(await redis.cli('EXISTS', 'ct:cache:test:{order:11}:lease')).toBe('0');
      load.release();
      await loading;
    }
  });

  it("a key containing ':' never aliases a namespaced key, and bumpNamespace reaches only the namespace", async () => {
    const [a, b] = instances;
    await a.cache.set('catalog:item-1', 'plain key');
    await a.cache.set('item-1', 'namespaced', { namespace: 'catalog' });
    expect(await b.cache.get('catalog:item-1')).toBe('plain key');
    expect(await b.cache.get('item-1', { namespace: 'catalog' })).toBe('namespaced');
    await a.cache.bumpNamespace('catalog');
    await waitFor(
      'b heard the bump',
      async () => (await b.cache.get('item-1', { namespace: 'catalog' })) === undefined,
    );
    expect(await b.cache.get('catalog:item-1')).toBe('plain key');
    // A tag cannot name a namespace's version either.
    await a.cache.set('item-2', 'namespaced', { namespace: 'catalog' });
    await a.cache.invalidateTags(['ns.catalog']);
    await a.cache.set('sentinel', 1); // sent after the tag bump: once b has it, b has the bump too
    await waitFor('b heard the tag bump', async () => (await b.cache.get('sentinel')) === 1);
    expect(await b.cache.get('item-2', { namespace: 'catalog' })).toBe('namespaced');
  });

  it('a per-call l1Ttl is honoured when an L2 hit fills L1', async () => {
    const [a, b] = instances;
    await a.cache.set('fill:1', 'v');
    expect(await b.cache.get('fill:1', { l1Ttl: 50 })).toBe('v');
    expect(await b.cache.getOrSet('fill:2', () => 'w', { l1Ttl: 50 })).toBe('w');
    await redis.cli('DEL', 'ct:cache:test:{fill:1}'); // behind the bus' back
    await sleep(120);
    expect(await b.cache.get('fill:1')).toBeUndefined();
  });
});

describe('invalidation marks outlive the cache-wide hard timeout while an operation runs', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('a load with hardTimeout 0 that outlives the cache-wide horizon does not overwrite a newer value', async () => {
    const opts = { hardTimeout: 100, lockTimeout: 100 };
    const [a, b] = await Promise.all([makeCache(redis.url, 'h-a', opts), makeCache(redis.url, 'h-b', opts)]);
    try {
      const load = pausedLoader('old row');
      const loading = a.cache.getOrSet('slow:1', load.load, { hardTimeout: 0 });
      await load.started;
      await b.cache.set('slow:1', 'new row');
      await waitFor('a heard of the write', async () => (await a.cache.get('slow:1')) === 'new row');
      await sleep(1400); // past the old horizon: hardTimeout + lockTimeout + 1 s
      await a.cache.delete('other'); // any later invalidation used to prune the mark
      load.release();
      expect(await loading).toBe('old row');
      expect(await b.cache.get('slow:1')).toBe('new row');
      expect(await redis.cli('GET', 'ct:cache:test:{slow:1}')).toContain('new row');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
