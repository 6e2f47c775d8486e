import { LeaderboardUnavailableError } from './errors';
import type { Leaderboard, LeaderboardEntry, PeriodSelector } from './leaderboard';

export interface TopAnswer {
  entries: LeaderboardEntry[];
  /** `sql-fallback` while Redis is unavailable: the caller should flag the answer (e.g. a response field). */
  source: 'redis' | 'sql-fallback';
}

/**
 * `board.top(period, n)`, or `fallback()` (top-N computed from SQL) when Redis does not answer. Only
 * `LeaderboardUnavailableError` falls back; bad input and defects still reject, so an outage cannot hide
 * a bug. Redis is given at most the board's `timeout` (the request client's command timeout by default).
 *
 * @example
 * const { entries, source } = await topOrFallback(spend, 'week', 10, () => orders.topCustomers(weekStart, 10));
 */
export async function topOrFallback(
  board: Leaderboard,
  period: PeriodSelector,
  n: number,
  fallback: () => Promise<LeaderboardEntry[]>,
): Promise<TopAnswer> {
  try {
    return { entries: await board.top(period, n), source: 'redis' };
  } catch (err) {
    if (!(err instanceof LeaderboardUnavailableError)) throw err;
    return { entries: await fallback(), source: 'sql-fallback' };
  }
}
