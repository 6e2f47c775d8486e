import { CodedError } from '@shop/util';

/** Codes of the leaderboard's errors (`err.code`). */
export type LeaderboardErrorCode =
  /** Redis did not answer (down, timed out, loading, cluster down): answer from SQL and say so. */
  | 'E_LEADERBOARD_UNAVAILABLE'
  /** Bad input to `apply`, a query or the options; nothing was written. */
  | 'E_LEADERBOARD_INVALID_INPUT'
  /** A delta would move a total outside the exact range (see README "Score encoding"); nothing was written. */
  | 'E_LEADERBOARD_SCORE_BOUND'
  /** Another rebuild of the board is running (or died less than `rebuildTtl` ago). */
  | 'E_LEADERBOARD_REBUILD_IN_PROGRESS'
  /** The rebuild's lease expired before it finished (too slow a source); the live board is unchanged. */
  | 'E_LEADERBOARD_REBUILD_LOST';

/** An error of the leaderboard: `code` says which, the message what and where. */
export class LeaderboardError extends CodedError<LeaderboardErrorCode> {}

/**
 * Redis could not answer in time. Typed separately because it is the one error a caller is expected to
 * handle (serve top-N from SQL, flag the answer as approximate; for `apply`, leave the event unacked).
 */
export class LeaderboardUnavailableError extends LeaderboardError {
  constructor(board: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('E_LEADERBOARD_UNAVAILABLE', `leaderboard ${board}: Redis unavailable (${reason})`, { cause });
  }
}

export class LeaderboardInputError extends LeaderboardError {
  constructor(message: string) {
    super('E_LEADERBOARD_INVALID_INPUT', message);
  }
}
