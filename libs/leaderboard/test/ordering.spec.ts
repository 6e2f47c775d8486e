import { startTestRedis, type TestRedis } from '@shop/testing';
import { LeaderboardError, MAX_TOTAL } from '../src';
import { makeBoard, minutesAfter, rawClient, snapshot, recentBase } from './helpers';

describe('ordering: exact totals, ties broken by who reached the total first', () => {
  let redis: TestRedis;
  let lb: Awaited<ReturnType<typeof makeBoard>>;
  const base = recentBase();
  const at = (minute: number) => minutesAfter(base, minute);

  beforeAll(async () => {
    redis = await startTestRedis();
    lb = await makeBoard(redis.url, 'order');
  });
  afterAll(async () => {
    await lb?.close();
    await redis?.dispose();
  });
  beforeEach(async () => {
    await redis.cli('FLUSHALL');
  });

  it('equal totals: the earlier one ranks higher, even against a later single larger delta', async () => {
    const { board } = lb;
    await board.apply('e1', [{ member: 'small-steps', delta: 40 }], at(1));
    await board.apply('e2', [{ member: 'small-steps', delta: 60 }], at(2)); // reaches 100 at minute 2
    await board.apply('e3', [{ member: 'one-big', delta: 100 }], at(3)); // reaches 100 at minute 3
    await board.apply('e4', [{ member: 'zzz-first', delta: 100 }], at(0)); // 100 at minute 0
    await board.apply('e5', [{ member: 'leader', delta: 101 }], at(9));
    expect(await snapshot(board, 'all')).toEqual([
      ['leader', 101],
      ['zzz-first', 100], // alphabetical order would put it last: the stamp decides, not the name
      ['small-steps', 100],
      ['one-big', 100],
    ]);
    expect(await board.rank('all', 'one-big')).toEqual({ member: 'one-big', score: 100, rank: 4 });
  });

  it('a cancellation that brings a member down to a tie ranks it after the one already there', async () => {
    const { board } = lb;
    await board.apply('o1', [{ member: 'alice', delta: 100 }], at(1));
    await board.apply('o2', [{ member: 'bob', delta: 150 }], at(0));
    expect((await snapshot(board, 'all')).map(([m]) => m)).toEqual(['bob', 'alice']);
    await board.apply('c2', [{ member: 'bob', delta: -50 }], at(5)); // bob now reaches 100 at minute 5
    expect(await snapshot(board, 'all')).toEqual([
      ['alice', 100],
      ['bob', 100],
    ]);
    await board.apply(
      'o3',
      [
        { member: 'alice', delta: 25 },
        { member: 'bob', delta: 25 },
      ],
      at(6),
    );
    // both changed in the same event: same stamp, then the member id decides (still deterministic)
    expect(await snapshot(board, 'all')).toEqual([
      ['alice', 125],
      ['bob', 125],
    ]);
    // a member back at 0 stays listed with score 0 (so its stamp survives whatever the delivery order)
    await board.apply('c3', [{ member: 'alice', delta: -125 }], at(7));
    expect(await snapshot(board, 'all')).toEqual([
      ['bob', 125],
      ['alice', 0],
    ]);
  });

  it('a late-delivered older event does not move a member ahead of one that got there earlier', async () => {
    const { board } = lb;
    await board.apply('x2', [{ member: 'p', delta: 50 }], at(10));
    await board.apply('y1', [{ member: 'q', delta: 100 }], at(5));
    await board.apply('x1', [{ member: 'p', delta: 50 }], at(1)); // older, delivered last
    // p's total of 100 was reached at minute 10 (its latest event), after q's at minute 5
    expect((await snapshot(board, 'all')).map(([m]) => m)).toEqual(['q', 'p']);
  });

  it(`totals stay exact up to +-${MAX_TOTAL} (2^53 - 1); a delta beyond is refused and writes nothing`, async () => {
    const { board } = lb;
    await board.apply('big-1', [{ member: 'whale', delta: MAX_TOTAL - 1 }], at(1));
    await board.apply(
      'big-2',
      [
        { member: 'whale', delta: 1 },
        { member: 'minnow', delta: 7 },
      ],
      at(2),
    );
    await board.apply('neg-1', [{ member: 'debtor', delta: -MAX_TOTAL }], at(3));
    expect(await snapshot(board, 'all')).toEqual([
      ['whale', 9_007_199_254_740_991],
      ['minnow', 7],
      ['debtor', -9_007_199_254_740_991],
    ]);
    expect(await board.rank({ period: 'day', at: at(1) }, 'whale')).toMatchObject({
      score: MAX_TOTAL,
      rank: 1,
    });
    // neighbouring values stay distinct (a 2^53 step would be invisible in a double)
    await board.apply('big-3', [{ member: 'whale', delta: -1 }], at(4));
    expect((await board.rank('all', 'whale'))?.score).toBe(MAX_TOTAL - 1);

    const refused = board.apply(
      'big-4',
      [
        { member: 'minnow', delta: 1 },
        { member: 'whale', delta: 2 },
      ],
      at(5),
    );
    await expect(refused).rejects.toBeInstanceOf(LeaderboardError);
    await expect(refused).rejects.toMatchObject({ code: 'E_LEADERBOARD_SCORE_BOUND' });
    await expect(board.apply('neg-2', [{ member: 'debtor', delta: -1 }], at(5))).rejects.toMatchObject({
      code: 'E_LEADERBOARD_SCORE_BOUND',
    });
    // nothing of the refused events was written: not minnow's +1, not the marker
    expect((await board.rank('all', 'minnow'))?.score).toBe(7);
    expect(await rawClient(lb.connections).exists(`lt:lb:{customers-by-spend}:e:big-4`)).toBe(0);
  });
});
