import { planClaims, requiredIdleMs, type ClaimRules, type PendingRow } from './plan-claims';

const rules = (over: Partial<ClaimRules> = {}): ClaimRules => ({
  consumer: 'me',
  free: 10,
  retryDelayMs: 100,
  claimIdleMs: 1000,
  pageSize: 4,
  isHandling: () => false,
  ...over,
});

describe('requiredIdleMs', () => {
  it('retries own entries after a backoff doubling per delivery, capped at claimIdleMs', () => {
    expect([1, 2, 3, 4, 5, 9].map((d) => requiredIdleMs('me', d, rules()))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("takes over another consumer's entry only once it is idle claimIdleMs", () => {
    expect(requiredIdleMs('other', 1, rules())).toBe(1000);
    expect(requiredIdleMs('other', 9, rules({ claimIdleMs: 300 }))).toBe(300);
  });
});

describe('planClaims', () => {
  it('claims own entries past their backoff and idle entries of others, each with its min-idle', () => {
    const rows: PendingRow[] = [
      ['1-0', 'me', 150, 1], // backoff 100: due
      ['2-0', 'me', 150, 2], // backoff 200: not yet
      ['3-0', 'other', 999, 1], // not idle enough
      ['4-0', 'other', 1500, 7],
    ];
    const plan = planClaims(rows, rules());
    expect([...plan.byMinIdle]).toEqual([
      [100, ['1-0']],
      [1000, ['4-0']],
    ]);
    expect([...plan.deliveries]).toEqual([
      ['1-0', 2],
      ['4-0', 8],
    ]);
    expect(plan.owners.get('4-0')).toBe('other');
    // A full page: the next one starts after its last row.
    expect(plan.cursor).toBe('(4-0');
  });

  it('skips entries being handled here', () => {
    const plan = planClaims([['1-0', 'me', 5000, 1]], rules({ isHandling: (id) => id === '1-0' }));
    expect(plan.deliveries.size).toBe(0);
  });

  it('stops at the free slots and resumes at the first row not looked at, not at the beginning', () => {
    const rows: PendingRow[] = [
      ['1-0', 'other', 5000, 1],
      ['2-0', 'other', 5000, 1],
      ['3-0', 'other', 5000, 1],
    ];
    const plan = planClaims(rows, rules({ free: 2 }));
    expect([...plan.deliveries.keys()]).toEqual(['1-0', '2-0']);
    expect(plan.cursor).toBe('3-0'); // inclusive: 3-0 is claimed by the next pass
  });

  it('wraps around after a short page (the end of the pending list)', () => {
    expect(planClaims([['1-0', 'other', 10, 1]], rules()).cursor).toBe('-');
    expect(planClaims([], rules()).cursor).toBe('-');
  });
});
