import { MemoryTier, type L1Entry } from './memory-tier';

const entry = (bytes: number): L1Entry => ({
  value: 'x',
  tags: {},
  tagCount: 0,
  expiresAt: Infinity,
  staleUntil: Infinity,
  createdAt: 0,
  bytes,
});

describe('MemoryTier', () => {
  it('is bounded by entry count, evicting the least recently used', () => {
    const tier = new MemoryTier(3, 1_000_000);
    for (const k of ['a', 'b', 'c']) tier.set(k, entry(10), 60_000);
    tier.get('a');
    tier.set('d', entry(10), 60_000);
    expect(tier.get('b')).toBeUndefined();
    expect(tier.get('a')).toBeDefined();
    expect(tier.size).toBe(3);
  });

  it('is bounded by bytes', () => {
    const tier = new MemoryTier(1000, 100);
    for (let i = 0; i < 10; i++) tier.set(`k${i}`, entry(30), 60_000);
    expect(tier.bytes).toBeLessThanOrEqual(100);
    expect(tier.size).toBe(3);
  });

  it('expires entries after their L1 TTL', async () => {
    const tier = new MemoryTier(10, 1000);
    tier.set('k', entry(1), 20);
    await new Promise((r) => setTimeout(r, 40));
    expect(tier.get('k')).toBeUndefined();
  });
});
