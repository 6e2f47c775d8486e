import { startTestRedis, type TestRedis } from '@shop/testing';
import type { LeaderboardEvent } from '../src';
import { counterValue, makeBoard, minutesAfter, snapshot, recentBase } from './helpers';

type Instance = Awaited<ReturnType<typeof makeBoard>>;

describe('exactly once per event id', () => {
  let redis: TestRedis;
  let a: Instance;
  let b: Instance;
  const base = recentBase();
  const events: LeaderboardEvent[] = Array.from({ length: 60 }, (_, i) => ({
    eventId: `order-${i}`,
    at: minutesAfter(base, i),
    entries: [
      { member: `c${i % 7}`, delta: 100 + ((i * 37) % 900) },
      ...(i % 5 === 0 ? [{ member: `c${(i + 3) % 7}`, delta: -(i % 40) - 1 }] : []),
    ],
  }));

  beforeAll(async () => {
    redis = await startTestRedis();
    a = await makeBoard(redis.url, 'once-a');
    b = await makeBoard(redis.url, 'once-b');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.dispose();
  });
  beforeEach(async () => {
    await redis.cli('FLUSHALL');
  });

  /** The totals a correct board must hold: the plain sum of every event once. */
  function expectedTotals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const e of events)
      for (const { member, delta } of e.entries) totals.set(member, (totals.get(member) ?? 0) + delta);
    return totals;
  }

  it('the same events delivered twice give the same scores; the second delivery is all duplicates', async () => {
    for (const e of events) expect(await a.board.apply(e.eventId, e.entries, e.at)).toBe('applied');
    const once = await snapshot(a.board, 'all');
    expect(new Map(once)).toEqual(expectedTotals());
    for (const e of events) expect(await a.board.apply(e.eventId, e.entries, e.at)).toBe('duplicate');
    expect(await snapshot(a.board, 'all')).toEqual(once);
    expect(await counterValue(a.registry, 'leaderboard_events_applied_total', 'customers-by-spend')).toBe(60);
    expect(await counterValue(a.registry, 'leaderboard_duplicates_skipped_total', 'customers-by-spend')).toBe(
      60,
    );
  });

  it('concurrent redelivery from two connections applies each event once (every period)', async () => {
    const results = await Promise.all(
      [a, b].flatMap((instance) => events.map((e) => instance.board.apply(e.eventId, e.entries, e.at))),
    );
    expect(results.filter((r) => r === 'applied')).toHaveLength(60);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(60);
    expect(new Map(await snapshot(b.board, 'all'))).toEqual(expectedTotals());
    const today = new Map<string, number>();
    for (const e of events.filter((x) => x.at.getUTCDate() === new Date(base).getUTCDate()))
      for (const { member, delta } of e.entries) today.set(member, (today.get(member) ?? 0) + delta);
    expect(new Map(await snapshot(a.board, { period: 'day', at: new Date(base) }))).toEqual(today);
    const applied =
      (await counterValue(a.registry, 'leaderboard_events_applied_total', 'customers-by-spend')) +
      (await counterValue(b.registry, 'leaderboard_events_applied_total', 'customers-by-spend'));
    expect(applied).toBe(60 + 60); // 60 from the previous test on a, 60 now over a and b
  });

  it('boards are independent: the same event id feeds each board once', async () => {
    const products = await makeBoard(redis.url, 'once-p', { name: 'products-by-quantity' });
    try {
      const at = new Date(base);
      expect(await a.board.apply('order-x', [{ member: 'c1', delta: 500 }], at)).toBe('applied');
      expect(
        await products.board.apply(
          'order-x',
          [
            { member: 'sku-1', delta: 2 },
            { member: 'sku-2', delta: 1 },
            { member: 'sku-1', delta: 3 }, // two lines of one sku are summed
          ],
          at,
        ),
      ).toBe('applied');
      expect(await products.board.apply('order-x', [{ member: 'sku-1', delta: 2 }], at)).toBe('duplicate');
      expect(await snapshot(products.board, 'all')).toEqual([
        ['sku-1', 5],
        ['sku-2', 1],
      ]);
      expect(await snapshot(a.board, 'all')).toEqual([['c1', 500]]);
    } finally {
      await products.close();
    }
  });
});
