/** The periods every board keeps: all-time, the current ISO week (UTC) and the current UTC day. */
export type PeriodKind = 'all' | 'week' | 'day';

/** One concrete period: `id` names it in keys (`all`, `2026-W53`, `2026-12-31`); `end` is exclusive. */
export interface Period {
  kind: PeriodKind;
  id: string;
  /** Start in epoch ms (inclusive); 0 for all-time. */
  start: number;
  /** End in epoch ms (exclusive); `Infinity` for all-time. */
  end: number;
}

const DAY_MS = 86_400_000;

/**
 * The period of `kind` that the instant `atMs` falls in, on the UTC calendar. Weeks are ISO 8601: they
 * start on Monday and belong to the year of their Thursday, so 2026-12-31 and 2027-01-01 are both in
 * 2026-W53 and 2027-01-04 starts 2027-W01. Pure, so the boundaries are unit-tested without Redis.
 */
export function periodOf(kind: PeriodKind, atMs: number): Period {
  if (kind === 'all') return { kind, id: 'all', start: 0, end: Infinity };
  const dayStart = Math.floor(atMs / DAY_MS) * DAY_MS;
  if (kind === 'day') {
    return {
      kind,
      id: new Date(dayStart).toISOString().slice(0, 10),
      start: dayStart,
      end: dayStart + DAY_MS,
    };
  }
  const isoWeekday = (new Date(dayStart).getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  const start = dayStart - isoWeekday * DAY_MS;
  const thursday = new Date(start + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return { kind, id: `${year}-W${String(week).padStart(2, '0')}`, start, end: start + 7 * DAY_MS };
}
