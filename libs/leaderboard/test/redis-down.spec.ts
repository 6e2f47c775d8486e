import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { LeaderboardUnavailableError, topOrFallback, type LeaderboardEntry } from '../src';
import { COMMAND_TIMEOUT_MS, makeBoard } from './helpers';

describe('data Redis down: typed error within the command timeout, SQL fallback, recovery', () => {
  let redis: TestRedis;
  let lb: Awaited<ReturnType<typeof makeBoard>>;
  const sql: LeaderboardEntry[] = [{ member: 'from-sql', score: 1, rank: 1 }];
  const fallback = jest.fn(async () => sql);

  beforeAll(async () => {
    redis = await startTestRedis();
    lb = await makeBoard(redis.url, 'down');
    await lb.board.apply('d-1', [{ member: 'alice', delta: 10 }], new Date());
  });
  afterAll(async () => {
    await lb?.close();
    await redis?.dispose();
  });

  /** Resolves with the rejection of `promise` and how long it took. */
  async function timedRejection(promise: () => Promise<unknown>) {
    const started = Date.now();
    const error = await promise().then(
      () => undefined,
      (err: unknown) => err,
    );
    return { error, elapsed: Date.now() - started };
  }

  it('hung (SIGSTOP): every query and apply rejects with E_LEADERBOARD_UNAVAILABLE within the timeout', async () => {
    const resume = await redis.pause();
    try {
      for (const call of [
        () => lb.board.top('all', 10),
        () => lb.board.rank('all', 'alice'),
        () => lb.board.around('all', 'alice', 2),
        () => lb.board.apply('d-2', [{ member: 'alice', delta: 1 }], new Date()),
      ]) {
        const { error, elapsed } = await timedRejection(call);
        expect(error).toBeInstanceOf(LeaderboardUnavailableError);
        expect(error).toMatchObject({ code: 'E_LEADERBOARD_UNAVAILABLE' });
        expect(elapsed).toBeLessThan(2000);
        expect(elapsed).toBeLessThan(COMMAND_TIMEOUT_MS + 300);
      }
      const answer = await topOrFallback(lb.board, 'all', 10, fallback);
      expect(answer).toEqual({ entries: sql, source: 'sql-fallback' });
    } finally {
      resume();
    }
    await waitFor('answers again', async () => (await lb.board.top('all', 1).catch(() => [])).length === 1);
  });

  it('stopped: rejects fast, topOrFallback answers from the fallback; after the restart Redis answers again', async () => {
    await redis.stop();
    const { error, elapsed } = await timedRejection(() => lb.board.top('week', 5));
    expect(error).toMatchObject({ code: 'E_LEADERBOARD_UNAVAILABLE' });
    expect(elapsed).toBeLessThan(2000);
    fallback.mockClear();
    const started = Date.now();
    expect(await topOrFallback(lb.board, 'week', 5, fallback)).toEqual({
      entries: sql,
      source: 'sql-fallback',
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fallback).toHaveBeenCalledTimes(1);

    await redis.start(); // empty: no append-only file
    await waitFor('reconnected', () => lb.board.ready(100), { timeoutMs: 10_000 });
    expect(await lb.board.apply('d-3', [{ member: 'bob', delta: 3 }], new Date())).toBe('applied');
    fallback.mockClear();
    expect(await topOrFallback(lb.board, 'all', 5, fallback)).toEqual({
      entries: [{ member: 'bob', score: 3, rank: 1 }],
      source: 'redis',
    });
    expect(fallback).not.toHaveBeenCalled();
  });

  it('only unavailability falls back: bad input still rejects', async () => {
    await expect(topOrFallback(lb.board, 'all', 0, fallback)).rejects.toMatchObject({
      code: 'E_LEADERBOARD_INVALID_INPUT',
    });
  });
});
