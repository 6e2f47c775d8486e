import { KeyBudget } from './key-budget';

describe('KeyBudget', () => {
  let now = 0;
  const budget = () => new KeyBudget(() => now);

  beforeEach(() => {
    now = 1_000;
  });

  it('admits up to max distinct keys per route, then refuses new ones but keeps admitting known ones', () => {
    const b = budget();
    expect(['a', 'b', 'c'].map((k) => b.admit('r', k, 3, 100))).toEqual([true, true, true]);
    expect(b.admit('r', 'd', 3, 100)).toBe(false);
    expect(b.admit('r', 'a', 3, 100)).toBe(true);
    expect(b.size('r')).toBe(3);
  });

  it('counts each route on its own', () => {
    const b = budget();
    expect(b.admit('r1', 'a', 1, 100)).toBe(true);
    expect(b.admit('r2', 'a', 1, 100)).toBe(true);
    expect(b.admit('r1', 'b', 1, 100)).toBe(false);
  });

  it('frees the place of a key once its entry cannot exist any more', () => {
    const b = budget();
    b.admit('r', 'a', 2, 100);
    now += 50;
    b.admit('r', 'b', 2, 100);
    expect(b.admit('r', 'c', 2, 100)).toBe(false);
    now += 51; // a expired, b still live
    expect(b.admit('r', 'c', 2, 100)).toBe(true);
    expect(b.admit('r', 'd', 2, 100)).toBe(false);
    expect(b.size('r')).toBe(2);
  });

  it('renews a known key, so an often-used key keeps its place', () => {
    const b = budget();
    b.admit('r', 'a', 2, 100);
    b.admit('r', 'b', 2, 100);
    now += 90;
    b.admit('r', 'a', 2, 100); // renewed: now lives until 1190
    now += 20; // b expired at 1100
    expect(b.admit('r', 'c', 2, 100)).toBe(true);
    expect(b.admit('r', 'a', 2, 100)).toBe(true);
    expect(b.admit('r', 'd', 2, 100)).toBe(false);
  });
});
