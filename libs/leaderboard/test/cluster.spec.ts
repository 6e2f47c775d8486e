import { startTestRedisCluster, type TestRedisCluster } from '@shop/testing';
import { makeBoard, recentBase, minutesAfter, snapshot } from './helpers';

describe('on a 3-master Redis Cluster: every script stays on the board slot', () => {
  let cluster: TestRedisCluster;
  beforeAll(async () => {
    cluster = await startTestRedisCluster();
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('apply (dedupe included), top, rank, around and rebuild on two boards', async () => {
    const spend = await makeBoard(cluster.url, 'cl-a');
    const quantity = await makeBoard(cluster.url, 'cl-b', { name: 'products-by-quantity' });
    try {
      const base = recentBase();
      const events = Array.from({ length: 20 }, (_, i) => ({
        eventId: `cl-${i}`,
        at: minutesAfter(base, i),
        entries: [{ member: `c${i % 6}`, delta: 10 * (1 + (i % 3)) }],
      }));
      for (const e of events) {
        expect(await spend.board.apply(e.eventId, e.entries, e.at)).toBe('applied');
        expect(await quantity.board.apply(e.eventId, [{ member: `sku-${e.eventId}`, delta: 1 }], e.at)).toBe(
          'applied',
        );
      }
      for (const e of events) expect(await spend.board.apply(e.eventId, e.entries, e.at)).toBe('duplicate');

      const all = await snapshot(spend.board, 'all');
      expect(all).toHaveLength(6);
      const day = { period: 'day' as const, at: new Date(base) };
      expect(await snapshot(spend.board, day)).toEqual(all);
      const third = all[2][0];
      const around = await spend.board.around('all', third, 1);
      expect(around?.entries.map((e) => e.member)).toEqual(all.slice(1, 4).map(([m]) => m));
      expect(await spend.board.rank({ period: 'week', at: new Date(base) }, third)).toMatchObject({
        rank: 3,
      });
      expect(await quantity.board.top('all', 100)).toHaveLength(20);

      expect(await spend.board.rebuild(events)).toEqual({ events: 20, applied: 20, duplicates: 0 });
      expect(await snapshot(spend.board, 'all')).toEqual(all);
      expect(await snapshot(spend.board, day)).toEqual(all);
    } finally {
      await spend.close();
      await quantity.close();
    }
  });
});
