export const BOARDS = ['customers-by-spend', 'products-by-quantity'] as const;
export type BoardName = (typeof BOARDS)[number];
export const BOARD_PERIODS = ['all', 'week', 'day'] as const;
export type BoardPeriod = (typeof BOARD_PERIODS)[number];
export const MAX_BOARD_SIZE = 100;
export const MAX_AROUND = 25;

/** One row of a board: `score` is the exact total (cents or units), `rank` 1-based. */
export interface BoardEntry {
  member: string;
  score: number;
  rank: number;
}

/** A board query's answer; `source: 'sql-fallback'` while the data Redis is down. */
export interface BoardAnswer {
  board: BoardName;
  period: BoardPeriod;
  entries: BoardEntry[];
  source: 'redis' | 'sql-fallback';
}
