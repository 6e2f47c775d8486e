import { startTestRedis, type TestRedis } from '@shop/testing';
import { Leaderboard, LeaderboardInputError, MAX_TOTAL, type LeaderboardDelta } from '../src';
import { makeBoard } from './helpers';

describe('input validation: a clear error, nothing written', () => {
  let redis: TestRedis;
  let lb: Awaited<ReturnType<typeof makeBoard>>;
  const now = new Date();

  beforeAll(async () => {
    redis = await startTestRedis();
    lb = await makeBoard(redis.url, 'valid');
  });
  afterAll(async () => {
    await lb?.close();
    await redis?.dispose();
  });

  const bad: Array<[string, string, unknown, unknown, RegExp]> = [
    ['empty event id', '', [{ member: 'a', delta: 1 }], now, /invalid eventId/],
    [
      'event id with a colon (would change the key shape)',
      'a:b',
      [{ member: 'a', delta: 1 }],
      now,
      /invalid eventId/,
    ],
    [
      'event id with a brace (would change the slot)',
      'a{x}',
      [{ member: 'a', delta: 1 }],
      now,
      /invalid eventId/,
    ],
    ['event id over 128 characters', 'e'.repeat(129), [{ member: 'a', delta: 1 }], now, /invalid eventId/],
    ['no entries', 'e1', [], now, /entries must be an array of 1-1000/],
    ['entries not an array', 'e1', 'a', now, /entries must be an array/],
    ['empty member', 'e1', [{ member: '', delta: 1 }], now, /invalid member ""/],
    ['member with a space', 'e1', [{ member: 'a b', delta: 1 }], now, /invalid member "a b"/],
    ['member over 128 characters', 'e1', [{ member: 'm'.repeat(129), delta: 1 }], now, /invalid member/],
    ['fractional delta', 'e1', [{ member: 'a', delta: 1.5 }], now, /delta of a must be a safe integer/],
    ['NaN delta', 'e1', [{ member: 'a', delta: Number.NaN }], now, /got NaN/],
    ['infinite delta', 'e1', [{ member: 'a', delta: Infinity }], now, /got Infinity/],
    ['delta beyond 2^53 - 1', 'e1', [{ member: 'a', delta: MAX_TOTAL + 1 }], now, /safe integer/],
    ['string delta', 'e1', [{ member: 'a', delta: '5' }], now, /got 5/],
    [
      'one member whose lines add up beyond the bound',
      'e1',
      [
        { member: 'a', delta: MAX_TOTAL },
        { member: 'a', delta: 1 },
      ],
      now,
      /add up beyond/,
    ],
    ['invalid date', 'e1', [{ member: 'a', delta: 1 }], new Date('nope'), /at must be a valid Date/],
    [
      'a timestamp instead of a Date',
      'e1',
      [{ member: 'a', delta: 1 }],
      Date.now(),
      /at must be a valid Date/,
    ],
  ];

  it.each(bad)('apply refuses %s', async (_what, eventId, entries, at, message) => {
    const call = lb.board.apply(eventId, entries as LeaderboardDelta[], at as Date);
    await expect(call).rejects.toBeInstanceOf(LeaderboardInputError);
    await expect(call).rejects.toMatchObject({
      code: 'E_LEADERBOARD_INVALID_INPUT',
      message: expect.stringMatching(message),
    });
    expect(await redis.cli('DBSIZE')).toBe('0');
  });

  it('queries refuse bad periods, members and counts', async () => {
    await expect(lb.board.top('month' as 'all', 5)).rejects.toThrow(/invalid period "month"/);
    await expect(lb.board.top({ period: 'day', at: new Date('x') }, 5)).rejects.toThrow(/valid Date/);
    await expect(lb.board.top('all', 0)).rejects.toThrow(/n must be an integer 1-1000/);
    await expect(lb.board.top('all', 1001)).rejects.toThrow(/1-1000/);
    await expect(lb.board.around('all', 'a', 101)).rejects.toThrow(/n must be an integer 0-100/);
    await expect(lb.board.rank('all', 'x y')).rejects.toBeInstanceOf(LeaderboardInputError);
  });

  it('options: the board name and durations are checked at construction', () => {
    expect(() => makeBoardSync({ name: 'Bad Name' })).toThrow(/invalid leaderboard name/);
    expect(() => makeBoardSync({ markerTtl: 'soon' as '1d' })).toThrow(/invalid duration for markerTtl/);
    expect(() => makeBoardSync({ markerTtl: 0 })).toThrow(/markerTtl must be at least 1 ms/);
  });

  function makeBoardSync(options: object) {
    return new Leaderboard({ connections: lb.connections, name: 'customers-by-spend', ...options });
  }

  it('zero net deltas are no change: accepted, marked, nothing ranked', async () => {
    const lines = [
      { member: 'a', delta: 5 },
      { member: 'a', delta: -5 },
    ];
    expect(await lb.board.apply('zero-1', lines, now)).toBe('applied');
    expect(await lb.board.top('all', 10)).toEqual([]);
    expect(await lb.board.apply('zero-1', lines, now)).toBe('duplicate');
  });
});
