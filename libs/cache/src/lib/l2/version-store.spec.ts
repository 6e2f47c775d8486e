import type { RedisTier } from './redis-tier';
import { VersionStore } from './version-store';

/** An L2 whose tag counters are a map: every read is counted. */
function fakeTier(counters: Map<string, number>) {
  const reads: string[][] = [];
  const tier = {
    versions: async (keys: string[]) => {
      reads.push(keys);
      return keys.map((k) => counters.get(k) ?? 0);
    },
    bump: async (keys: string[]) => keys.map((k) => counters.set(k, (counters.get(k) ?? 0) + 1).get(k) ?? 0),
  } as unknown as RedisTier;
  return { tier, reads };
}

describe('VersionStore', () => {
  it('adopts a bus version only for a tag it already knows', async () => {
    const { tier } = fakeTier(new Map([['v:used', 3]]));
    const store = new VersionStore(tier, (t) => `v:${t}`);
    await store.current(['used']);
    store.adoptIfKnown('used', 4);
    store.adoptIfKnown('elsewhere', 9);
    expect(store.known(['used'])).toEqual({ used: 4 });
    expect(store.known(['elsewhere'])).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('never moves a version backwards', async () => {
    const { tier } = fakeTier(new Map([['v:t', 5]]));
    const store = new VersionStore(tier, (t) => `v:${t}`);
    await store.current(['t']);
    store.adoptIfKnown('t', 2);
    store.adopt('t', 1);
    expect(store.known(['t'])).toEqual({ t: 5 });
  });

  it('keeps at most maxTags; a forgotten tag is read from Redis again', async () => {
    const { tier, reads } = fakeTier(new Map());
    const store = new VersionStore(tier, (t) => `v:${t}`, 100);
    for (let i = 0; i < 1_000; i++) await store.current([`tag-${i}`]);
    expect(store.size).toBe(100);
    expect(store.known(['tag-0'])).toBeUndefined(); // the oldest went
    expect(store.known(['tag-999'])).toEqual({ 'tag-999': 0 });
    reads.length = 0;
    expect(await store.current(['tag-0'])).toEqual({ 'tag-0': 0 });
    expect(reads).toEqual([['v:tag-0']]);
  });
});
