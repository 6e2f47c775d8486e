import { startTestRedis, type TestRedis } from '@shop/testing';
import { makeBoard, minutesAfter, recentBase } from './helpers';

describe('queries: top, rank, around (one round trip)', () => {
  let redis: TestRedis;
  let lb: Awaited<ReturnType<typeof makeBoard>>;
  const base = recentBase();
  // m01 has the highest total ... m10 the lowest
  const members = Array.from({ length: 10 }, (_, i) => ({
    member: `m${String(i + 1).padStart(2, '0')}`,
    total: 1000 - i * 10,
  }));

  beforeAll(async () => {
    redis = await startTestRedis();
    lb = await makeBoard(redis.url, 'queries');
    for (const [i, { member, total }] of members.entries())
      await lb.board.apply(`q-${i}`, [{ member, delta: total }], minutesAfter(base, i));
  });
  afterAll(async () => {
    await lb?.close();
    await redis?.dispose();
  });

  /** Commands the board's client sends while `fn` runs (every ioredis command passes `sendCommand`). */
  async function commandsDuring(fn: () => Promise<unknown>): Promise<string[]> {
    const spy = jest.spyOn(lb.client, 'sendCommand');
    try {
      await fn();
      return spy.mock.calls.map(([command]) => (command as { name: string }).name);
    } finally {
      spy.mockRestore();
    }
  }

  it('top(n) lists the highest totals with 1-based ranks, one command', async () => {
    const sent = await commandsDuring(async () =>
      expect(await lb.board.top('all', 3)).toEqual([
        { member: 'm01', score: 1000, rank: 1 },
        { member: 'm02', score: 990, rank: 2 },
        { member: 'm03', score: 980, rank: 3 },
      ]),
    );
    expect(sent).toEqual(['zrange']);
    expect(await lb.board.top({ period: 'day', at: new Date(base) }, 1000)).toHaveLength(10);
  });

  it('around(member, n) answers in one round trip, n above and n below', async () => {
    await lb.board.around('all', 'm05', 1); // loads the script (EVALSHA -> NOSCRIPT -> EVAL once)
    const sent = await commandsDuring(async () =>
      expect(await lb.board.around('all', 'm05', 2)).toEqual({
        entry: { member: 'm05', score: 960, rank: 5 },
        entries: [
          { member: 'm03', score: 980, rank: 3 },
          { member: 'm04', score: 970, rank: 4 },
          { member: 'm05', score: 960, rank: 5 },
          { member: 'm06', score: 950, rank: 6 },
          { member: 'm07', score: 940, rank: 7 },
        ],
      }),
    );
    expect(sent).toEqual(['evalsha']);
  });

  it('around at the edges: the top member, the last member, an unknown member', async () => {
    const top = await lb.board.around({ period: 'week', at: new Date(base) }, 'm01', 3);
    expect(top?.entries.map((e) => [e.member, e.rank])).toEqual([
      ['m01', 1],
      ['m02', 2],
      ['m03', 3],
      ['m04', 4],
    ]);
    const last = await lb.board.around('all', 'm10', 2);
    expect(last?.entry).toEqual({ member: 'm10', score: 910, rank: 10 });
    expect(last?.entries.map((e) => e.member)).toEqual(['m08', 'm09', 'm10']);
    expect(await lb.board.around('all', 'nobody', 2)).toBeNull();
    expect((await lb.board.around('all', 'm07', 0))?.entries).toEqual([
      { member: 'm07', score: 940, rank: 7 },
    ]);
  });

  it('rank(member) and reading a past or empty period', async () => {
    expect(await lb.board.rank('all', 'm04')).toEqual({ member: 'm04', score: 970, rank: 4 });
    expect(await lb.board.rank('all', 'nobody')).toBeNull();
    expect(await lb.board.rank({ period: 'day', at: new Date(base) }, 'm02')).toMatchObject({ rank: 2 });
    const lastYear = { period: 'week' as const, at: new Date(base - 365 * 86_400_000) };
    expect(await lb.board.top(lastYear, 10)).toEqual([]);
    expect(await lb.board.rank(lastYear, 'm01')).toBeNull();
  });
});
