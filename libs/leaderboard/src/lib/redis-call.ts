import { ReplyError } from 'ioredis';
import { LeaderboardError, LeaderboardUnavailableError, type LeaderboardErrorCode } from './errors';

// Replies that mean "Redis is there but cannot serve now": treated like a connection failure.
const UNAVAILABLE_REPLY = /^(LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|BUSY|READONLY)\b/;
const SCRIPT_CODES: LeaderboardErrorCode[] = [
  'E_LEADERBOARD_SCORE_BOUND',
  'E_LEADERBOARD_REBUILD_IN_PROGRESS',
  'E_LEADERBOARD_REBUILD_LOST',
];

/**
 * Runs one Redis call for a board, bounded by `timeoutMs`, and maps failures to the lib's errors: our
 * scripts' coded replies to `LeaderboardError`, anything that means "no answer" (disconnected, timed
 * out, loading, cluster down) to `LeaderboardUnavailableError`. Other Redis replies (WRONGTYPE, a
 * script bug) are rethrown unchanged: they are defects, not outages, and must not be served from SQL.
 *
 * The request-profile client already fails fast while disconnected and times commands out; the own
 * timer is a second bound for the Cluster client, which can wait on a slot refresh first.
 */
export async function redisCall<T>(board: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw mapError(board, err);
  } finally {
    clearTimeout(timer);
  }
}

function mapError(board: string, err: unknown): Error {
  if (err instanceof LeaderboardError) return err;
  if (err instanceof ReplyError) {
    const message = (err as Error).message;
    const code = SCRIPT_CODES.find((c) => message.includes(c));
    if (code) return new LeaderboardError(code, `leaderboard ${board}: ${message}`, { cause: err });
    if (!UNAVAILABLE_REPLY.test(message)) return err as Error;
  }
  return new LeaderboardUnavailableError(board, err);
}
