import { periodOf } from './periods';

const at = (iso: string) => Date.parse(iso);

describe('periodOf (UTC calendar, ISO 8601 weeks)', () => {
  it.each([
    ['2026-12-31T12:00:00Z', '2026-W53', '2026-12-28T00:00:00.000Z'],
    ['2027-01-01T00:00:00Z', '2026-W53', '2026-12-28T00:00:00.000Z'],
    ['2027-01-03T23:59:59.999Z', '2026-W53', '2026-12-28T00:00:00.000Z'],
    ['2027-01-04T00:00:00Z', '2027-W01', '2027-01-04T00:00:00.000Z'],
    ['2026-01-01T00:00:00Z', '2026-W01', '2025-12-29T00:00:00.000Z'],
    ['2025-12-28T23:59:59.999Z', '2025-W52', '2025-12-22T00:00:00.000Z'],
    ['2024-12-30T00:00:00Z', '2025-W01', '2024-12-30T00:00:00.000Z'],
    ['2021-01-03T10:00:00Z', '2020-W53', '2020-12-28T00:00:00.000Z'],
    ['2026-12-02T06:00:00Z', '2026-W49', '2026-11-30T00:00:00.000Z'],
  ])('%s is in %s (Monday %s)', (instant, id, monday) => {
    const week = periodOf('week', at(instant));
    expect(week.id).toBe(id);
    expect(new Date(week.start).toISOString()).toBe(monday);
    expect(week.end - week.start).toBe(7 * 86_400_000);
    expect(week.start <= at(instant) && at(instant) < week.end).toBe(true);
  });

  it('days are UTC calendar days, end exclusive', () => {
    expect(periodOf('day', at('2026-12-31T23:59:59.999Z'))).toEqual({
      kind: 'day',
      id: '2026-12-31',
      start: at('2026-12-31T00:00:00Z'),
      end: at('2027-01-01T00:00:00Z'),
    });
    expect(periodOf('day', at('2027-01-01T00:00:00Z')).id).toBe('2027-01-01');
  });

  it('all-time has no end', () => {
    expect(periodOf('all', 0)).toEqual({ kind: 'all', id: 'all', start: 0, end: Infinity });
  });
});
