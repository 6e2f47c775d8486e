import { startTestRedis, type TestRedis } from '@shop/testing';
import { periodOf } from '../src';
import { makeBoard, rawClient, snapshot } from './helpers';

const DAY = 86_400_000;

describe('periods: UTC day and ISO week from the event time, keys expiring after period end + grace', () => {
  let redis: TestRedis;
  let lb: Awaited<ReturnType<typeof makeBoard>>;

  beforeAll(async () => {
    redis = await startTestRedis();
    lb = await makeBoard(redis.url, 'periods');
  });
  afterAll(async () => {
    await lb?.close();
    await redis?.dispose();
  });
  beforeEach(async () => {
    await redis.cli('FLUSHALL');
  });

  it('week and day keys carry PEXPIREAT = period end + grace (defaults 28d / 7d); all-time and index none', async () => {
    const at = new Date();
    await lb.board.apply('now-1', [{ member: 'm1', delta: 5 }], at);
    const raw = rawClient(lb.connections);
    const week = lb.board.keysFor({ period: 'week', at });
    const day = lb.board.keysFor({ period: 'day', at });
    const all = lb.board.keysFor('all');
    const weekEnd = periodOf('week', at.getTime()).end;
    const dayEnd = periodOf('day', at.getTime()).end;
    for (const key of [week.zset, week.ties])
      expect(await raw.call('PEXPIRETIME', key)).toBe(weekEnd + 28 * DAY);
    for (const key of [day.zset, day.ties]) expect(await raw.call('PEXPIRETIME', key)).toBe(dayEnd + 7 * DAY);
    for (const key of [all.zset, all.ties]) expect(await raw.pttl(key)).toBe(-1);
    expect(await raw.pttl('lt:lb:{customers-by-spend}:periods')).toBe(-1);
    const markerTtl = await raw.pttl('lt:lb:{customers-by-spend}:e:now-1');
    expect(markerTtl).toBeGreaterThan(7 * DAY - 10_000);
    expect(markerTtl).toBeLessThanOrEqual(7 * DAY);
    expect(week.zset).toBe(`lt:lb:{customers-by-spend}:w:${periodOf('week', at.getTime()).id}`);
    expect(day.zset).toBe(`lt:lb:{customers-by-spend}:d:${at.toISOString().slice(0, 10)}`);
  });

  it('grace and marker TTL are options', async () => {
    const custom = await makeBoard(redis.url, 'periods-opt', {
      dayGrace: '1h',
      weekGrace: '2d',
      markerTtl: '1d',
    });
    try {
      const at = new Date();
      await custom.board.apply('opt-1', [{ member: 'm1', delta: 5 }], at);
      const raw = rawClient(custom.connections);
      expect(await raw.call('PEXPIRETIME', custom.board.keysFor('day').zset)).toBe(
        periodOf('day', at.getTime()).end + 3600_000,
      );
      expect(await raw.call('PEXPIRETIME', custom.board.keysFor('week').ties)).toBe(
        periodOf('week', at.getTime()).end + 2 * DAY,
      );
      expect(await raw.pttl('lt:lb:{customers-by-spend}:e:opt-1')).toBeLessThanOrEqual(DAY);
    } finally {
      await custom.close();
    }
  });

  it('events around midnight UTC and the Sunday-Monday edge land in the right ISO week and day', async () => {
    // A century of grace keeps these fixed dates' keys alive whenever the suite runs.
    const far = await makeBoard(redis.url, 'periods-far', { dayGrace: '100y', weekGrace: '100y' });
    try {
      const events: Array<[string, string]> = [
        ['thu-2026-12-31', '2026-12-31T23:59:59.999Z'],
        ['fri-2027-01-01', '2027-01-01T00:00:00.000Z'],
        ['sun-2027-01-03', '2027-01-03T23:59:59.999Z'],
        ['mon-2027-01-04', '2027-01-04T00:00:00.000Z'],
      ];
      for (const [member, iso] of events)
        await far.board.apply(`e-${member}`, [{ member, delta: 1 }], new Date(iso));
      const week = (iso: string) => snapshot(far.board, { period: 'week', at: new Date(iso) });
      const day = (iso: string) => snapshot(far.board, { period: 'day', at: new Date(iso) });
      expect((await week('2026-12-28T00:00:00Z')).map(([m]) => m)).toEqual([
        'thu-2026-12-31',
        'fri-2027-01-01',
        'sun-2027-01-03',
      ]);
      expect((await week('2027-01-10T23:00:00Z')).map(([m]) => m)).toEqual(['mon-2027-01-04']);
      expect((await day('2026-12-31T00:00:00Z')).map(([m]) => m)).toEqual(['thu-2026-12-31']);
      expect((await day('2027-01-01T12:00:00Z')).map(([m]) => m)).toEqual(['fri-2027-01-01']);
      expect((await day('2027-01-03T00:00:00Z')).map(([m]) => m)).toEqual(['sun-2027-01-03']);
      expect((await day('2027-01-04T23:59:59Z')).map(([m]) => m)).toEqual(['mon-2027-01-04']);
      expect(far.board.keysFor({ period: 'week', at: new Date('2027-01-01T00:00:00Z') }).zset).toBe(
        'lt:lb:{customers-by-spend}:w:2026-W53',
      );
      const raw = rawClient(far.connections);
      expect(await raw.call('PEXPIRETIME', 'lt:lb:{customers-by-spend}:w:2026-W53')).toBe(
        Date.parse('2027-01-04T00:00:00Z') + Math.round(100 * 365.25 * DAY),
      );
      expect((await snapshot(far.board, 'all')).length).toBe(4);
    } finally {
      await far.close();
    }
  });

  it('an event for a period already past its expiry counts all-time only (no key born expired)', async () => {
    const old = new Date(Date.now() - 60 * DAY);
    await lb.board.apply('old-1', [{ member: 'late', delta: 9 }], old);
    const raw = rawClient(lb.connections);
    expect(await raw.exists(lb.board.keysFor({ period: 'day', at: old }).zset)).toBe(0);
    expect(await raw.exists(lb.board.keysFor({ period: 'week', at: old }).zset)).toBe(0);
    expect(await snapshot(lb.board, 'all')).toEqual([['late', 9]]);
  });
});
