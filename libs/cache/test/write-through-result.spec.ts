import { makeCache, useTwoCaches } from './helpers';

// writeThroughResult caches what the store committed (a row with its new version), never a value the
// caller computed before the commit; a commit that fails leaves the cache as it was.
describe('writeThroughResult', () => {
  const t = useTwoCaches();

  it('caches the committed value on every instance', async () => {
    await t.a.cache.set('row:1', { v: 1 });
    expect(await t.b.cache.get('row:1')).toEqual({ v: 1 }); // in b's L1 now
    const committed = await t.a.cache.writeThroughResult('row:1', async () => ({ v: 2, at: new Date(5) }));
    expect(committed).toEqual({ v: 2, at: new Date(5) });
    expect(await t.a.cache.get('row:1')).toEqual({ v: 2, at: new Date(5) });
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && (await t.b.cache.get<{ v: number }>('row:1'))?.v !== 2)
      await new Promise((r) => setTimeout(r, 10));
    expect(await t.b.cache.get('row:1')).toEqual({ v: 2, at: new Date(5) });
  });

  it('leaves the cache untouched when the commit throws', async () => {
    await t.a.cache.set('row:2', { v: 1 });
    await expect(
      t.a.cache.writeThroughResult('row:2', async () => {
        throw new Error('version conflict');
      }),
    ).rejects.toThrow('version conflict');
    expect(await t.a.cache.get('row:2')).toEqual({ v: 1 });
  });

  it('drops the old entry when the committed value is too large to cache, and still resolves', async () => {
    const small = await makeCache(t.redis.url, 'small', { maxEntryBytes: 200 });
    try {
      await small.cache.set('row:3', { v: 1 });
      expect(await t.redis.cli('EXISTS', 'ct:cache:test:{row:3}')).toBe('1');
      const failed: string[] = [];
      small.cache.on('write-through-cache-failed', (key) => failed.push(key));
      const big = { v: 2, blob: 'x'.repeat(1000) };
      await expect(small.cache.writeThroughResult('row:3', async () => big)).resolves.toEqual(big);
      expect(await small.cache.get('row:3')).toBeUndefined();
      expect(await t.redis.cli('EXISTS', 'ct:cache:test:{row:3}')).toBe('0');
      expect(failed).toEqual(['row:3']);
    } finally {
      await small.close();
    }
  });

  it('reports alsoInvalidate tags whose bump did not reach Redis, and still resolves with the committed value', async () => {
    const failed: string[] = [];
    t.a.cache.on('write-through-cache-failed', (key, err) => failed.push(`${key}: ${err.message}`));
    // Writes stall past the command timeout (300 ms), as on a loaded Redis: the set and the bump time out.
    await t.redis.cli('CLIENT', 'PAUSE', '1000', 'WRITE');
    await expect(
      t.a.cache.writeThroughResult('row:4', async () => ({ v: 4 }), { alsoInvalidate: ['rows:list'] }),
    ).resolves.toEqual({ v: 4 });
    expect(failed).toContainEqual(expect.stringMatching(/^row:4: tags rows:list were not invalidated/));
    await t.redis.cli('CLIENT', 'UNPAUSE');
  });
});

// Two writers of one row: the later commit's value must win in the cache even when the earlier
// writer's cache write lands last (seen with two instances changing one order at once).
describe('writeThroughResult with stillCurrent', () => {
  const t = useTwoCaches();

  it('drops the entry when a newer commit happened before this writer cached, so no instance serves the older row', async () => {
    let stored = { v: 1 };
    const stillCurrent = async (value: { v: number }) => stored.v === value.v;
    // a commits v2, then b commits v3 and caches it, then a's cache write lands: the older one last.
    let releaseA!: () => void;
    const aMayCache = new Promise<void>((r) => (releaseA = r));
    const aWrite = t.a.cache.writeThroughResult(
      'order:1',
      async () => {
        stored = { v: 2 };
        const committed = { v: 2 };
        await aMayCache; // stands for a's commit reply arriving late
        return committed;
      },
      { stillCurrent },
    );
    await new Promise((r) => setTimeout(r, 20));
    await t.b.cache.writeThroughResult('order:1', async () => (stored = { v: 3 }), { stillCurrent });
    releaseA();
    await aWrite;
    expect(await t.a.cache.get('order:1')).toBeUndefined();
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && (await t.b.cache.get('order:1')) !== undefined)
      await new Promise((r) => setTimeout(r, 10));
    expect(await t.b.cache.get('order:1')).toBeUndefined();
    expect(await t.a.cache.getOrSet('order:1', async () => stored)).toEqual({ v: 3 });
  });

  it('keeps the entry when no newer commit happened', async () => {
    let stored = { v: 1 };
    await t.a.cache.writeThroughResult('order:2', async () => (stored = { v: 2 }), {
      stillCurrent: async (x) => x.v === stored.v,
    });
    expect(await t.a.cache.get('order:2')).toEqual({ v: 2 });
  });
});
