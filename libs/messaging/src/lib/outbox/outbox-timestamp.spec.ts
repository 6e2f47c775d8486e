import { outboxTimestamp } from './outbox';

describe('outboxTimestamp', () => {
  it('is strictly increasing for rows written in the same millisecond, and still an ISO date', () => {
    const stamps = Array.from({ length: 2500 }, () => outboxTimestamp(1_796_000_000_000));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i] > stamps[i - 1]).toBe(true);
    expect(stamps[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Math.abs(Date.parse(stamps[0]) - 1_796_000_000_000)).toBeLessThan(5);
  });

  it('follows the clock when it moves on', () => {
    const a = outboxTimestamp(1_896_000_000_000);
    const b = outboxTimestamp(1_896_000_000_007);
    expect(b > a).toBe(true);
    expect(Date.parse(b)).toBe(1_896_000_000_007);
  });
});
