import { startTestRedis, type TestRedis } from '@shop/testing';
import { LeaderboardInputError, type Leaderboard, type LeaderboardEvent, type PeriodSelector } from '../src';
import { makeBoard, rawClient, snapshot } from './helpers';

const DAY = 86_400_000;
const HOUR = 3600_000;

/** A deterministic pseudo-random sequence (the suite must be repeatable). */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

/** Orders and cancellations over the last 12 days, with few distinct amounts so that ties abound. */
function history(count: number, seed = 7): LeaderboardEvent[] {
  const rnd = prng(seed);
  const start = Date.now() - 12 * DAY;
  const events: LeaderboardEvent[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(start + Math.floor((i / count) * 12 * DAY) + Math.floor(rnd() * HOUR));
    const member = `cust-${Math.floor(rnd() * 12)}`;
    const cancel = i > 10 && rnd() < 0.15;
    const entries = [{ member, delta: (cancel ? -1 : 1) * 100 * (1 + Math.floor(rnd() * 3)) }];
    if (rnd() < 0.3) entries.push({ member: `cust-${Math.floor(rnd() * 12)}`, delta: 100 });
    events.push({ eventId: `ev-${i}`, at, entries });
  }
  return events;
}

function shuffled<T>(items: T[], seed = 99): T[] {
  const rnd = prng(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

async function* slowly<T>(items: T[], onEach?: (i: number) => Promise<void>): AsyncGenerator<T> {
  for (const [i, item] of items.entries()) {
    await onEach?.(i);
    yield item;
  }
}

/** Every period the events touch, as selectors. */
function selectorsOf(events: LeaderboardEvent[]): PeriodSelector[] {
  const days = new Map<string, Date>();
  for (const e of events) days.set(e.at.toISOString().slice(0, 10), e.at);
  return [
    'all',
    ...[...days.values()].flatMap((at) => [
      { period: 'day' as const, at },
      { period: 'week' as const, at },
    ]),
  ];
}

async function boardState(board: Leaderboard, selectors: PeriodSelector[]) {
  return Promise.all(selectors.map((s) => snapshot(board, s)));
}

describe('rebuild: from an event list, equal to the live board, swapped in atomically', () => {
  let redis: TestRedis;
  let lb: Awaited<ReturnType<typeof makeBoard>>;
  const events = history(300);
  const selectors = selectorsOf(events);

  beforeAll(async () => {
    redis = await startTestRedis();
    lb = await makeBoard(redis.url, 'rebuild');
  });
  afterAll(async () => {
    await lb?.close();
    await redis?.dispose();
  });
  beforeEach(async () => {
    await redis.cli('FLUSHALL');
  });

  async function applyLive(list: LeaderboardEvent[]) {
    for (const e of list) await lb.board.apply(e.eventId, e.entries, e.at);
  }

  async function keysMatching(pattern: string): Promise<string[]> {
    const raw = rawClient(lb.connections);
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  it('after a data loss, a rebuild from the events (in any order) equals the live board: scores, ties, all periods', async () => {
    await applyLive(events);
    const live = await boardState(lb.board, selectors);
    const ties = live[0].filter(([, score], i, all) => all.some(([, s], j) => j !== i && s === score));
    expect(ties.length).toBeGreaterThan(2); // the comparison really covers tie order
    expect(live.filter((p) => p.length > 0).length).toBeGreaterThan(8); // days and weeks, not just all-time
    const liveKeys = (await keysMatching('lt:lb:*')).filter((k) => !k.includes(':e:')).sort();

    await redis.cli('FLUSHALL'); // the data Redis lost everything
    const result = await lb.board.rebuild(slowly(shuffled(events)));
    expect(result).toEqual({ events: 300, applied: 300, duplicates: 0 });
    expect(await boardState(lb.board, selectors)).toEqual(live);
    const committed = 'lt:lb:{customers-by-spend}:rebuilds';
    expect((await keysMatching('lt:lb:*')).filter((k) => !k.includes(':e:')).sort()).toEqual(
      [...liveKeys, committed].sort(),
    );
    expect(await keysMatching('*:tmp:*')).toEqual([]);
    expect(await keysMatching('*:rebuild')).toEqual([]);

    const raw = rawClient(lb.connections);
    expect(await raw.pttl(lb.board.keysFor('all').zset)).toBe(-1);
    const lastDay = { period: 'day' as const, at: events[events.length - 1].at };
    expect(await raw.call('PEXPIRETIME', lb.board.keysFor(lastDay).zset)).toBe(
      Math.floor(lastDay.at.getTime() / DAY) * DAY + DAY + 7 * DAY,
    );

    // every replayed event is marked: redelivering any of them changes nothing
    for (const e of events) expect(await lb.board.apply(e.eventId, e.entries, e.at)).toBe('duplicate');
    expect(await boardState(lb.board, selectors)).toEqual(live);
  });

  it('a rebuild over a live board drops what the source does not have (a member, a whole week)', async () => {
    await applyLive(events);
    const expected = await boardState(lb.board, selectors);
    const ghostDay = new Date(Date.now() - 20 * DAY); // a week the source never touches
    await lb.board.apply(
      'ghost-1',
      [{ member: 'ghost', delta: 100_000 }],
      new Date(events[5].at.getTime() + 1),
    );
    await lb.board.apply('ghost-2', [{ member: 'ghost', delta: 1 }], ghostDay);
    expect((await lb.board.top('all', 1))[0].member).toBe('ghost');

    expect((await lb.board.rebuild(events)).applied).toBe(300);
    expect(await boardState(lb.board, selectors)).toEqual(expected);
    expect(await lb.board.rank({ period: 'week', at: ghostDay }, 'ghost')).toBeNull();
    expect(await lb.board.rank('all', 'ghost')).toBeNull();
  });

  it('live events during the rebuild are neither lost by the swap nor counted twice', async () => {
    const late: LeaderboardEvent = {
      eventId: 'live-late',
      at: new Date(Date.now() - HOUR),
      entries: [{ member: 'cust-1', delta: 700 }],
    };
    const early = events[250]; // delivered live while the rebuild runs, and yielded by the source afterwards
    const source = events.filter((e) => e !== early).concat(early);

    // reference: the same events applied live on a clean board
    await applyLive([...events, late]);
    const expected = await boardState(lb.board, [...selectors, { period: 'day', at: late.at }]);
    await redis.cli('FLUSHALL');

    await applyLive(events.slice(0, 100)); // what survived, say, a partial restore
    const result = await lb.board.rebuild(
      slowly(source, async (i) => {
        if (i === 120) {
          expect(await lb.board.apply(early.eventId, early.entries, early.at)).toBe('applied');
          expect(await lb.board.apply(late.eventId, late.entries, late.at)).toBe('applied');
        }
        if (i === 200) {
          // replayed already (in the rebuild's board only): applied to the live board, once
          const replayed = events[150];
          expect(await lb.board.apply(replayed.eventId, replayed.entries, replayed.at)).toBe('applied');
        }
      }),
    );
    expect(result).toEqual({ events: 300, applied: 299, duplicates: 1 });
    expect(await boardState(lb.board, [...selectors, { period: 'day', at: late.at }])).toEqual(expected);
    expect(await lb.board.apply(late.eventId, late.entries, late.at)).toBe('duplicate');
  });

  it('one rebuild at a time; a failing source leaves the live board untouched and releases the lease', async () => {
    await applyLive(events.slice(0, 50));
    const before = await boardState(lb.board, selectors);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = lb.board.rebuild(slowly(events.slice(0, 10), (i) => (i === 5 ? gate : Promise.resolve())));
    await new Promise((r) => setTimeout(r, 50));
    await expect(lb.board.rebuild(events)).rejects.toMatchObject({
      code: 'E_LEADERBOARD_REBUILD_IN_PROGRESS',
    });
    release();
    await first;

    await applyLive(events.slice(0, 50)); // all duplicates (markers outlive a rebuild): no change
    const afterFirst = await boardState(lb.board, selectors);
    async function* failing() {
      yield* events.slice(0, 20);
      throw new Error('orders database went away');
    }
    await expect(lb.board.rebuild(failing())).rejects.toThrow('orders database went away');
    // the failed rebuild replayed events 0-19: they are still counted once, by the committed one
    for (const e of events.slice(0, 10))
      expect(await lb.board.apply(e.eventId, e.entries, e.at)).toBe('duplicate');
    await expect(
      lb.board.rebuild([{ eventId: 'bad id', at: new Date(), entries: [{ member: 'x', delta: 1 }] }]),
    ).rejects.toBeInstanceOf(LeaderboardInputError);
    expect(await boardState(lb.board, selectors)).toEqual(afterFirst);
    expect(afterFirst).not.toEqual(before); // the first rebuild replaced 50 events' board with 10 events'

    // the leftovers of the failed rebuilds are cleared by the next one
    expect((await lb.board.rebuild(events.slice(0, 50))).applied).toBe(50);
    expect(await boardState(lb.board, selectors)).toEqual(before);
    expect(await keysMatching('*:tmp:*')).toEqual([]);
  });

  it('a rebuild that fails after a data loss neither blocks nor doubles live deliveries', async () => {
    const replayedOnly = events[130]; // replayed by the failing rebuild, never delivered live
    const replayedThenLive = events[120]; // replayed, then delivered live while the rebuild runs
    const liveOnly = events[250]; // delivered live while the rebuild runs, not in its source
    const reference = [...events.slice(0, 100), replayedThenLive, liveOnly, replayedOnly];
    await applyLive(reference);
    const expected = await boardState(lb.board, selectors);
    await redis.cli('FLUSHALL');

    await applyLive(events.slice(0, 100));
    async function* failing() {
      for (const [i, e] of events.slice(0, 200).entries()) {
        if (i === 160) {
          expect(
            await lb.board.apply(replayedThenLive.eventId, replayedThenLive.entries, replayedThenLive.at),
          ).toBe(
            'applied', // the live board does not have it yet: applied there, once
          );
          expect(await lb.board.apply(liveOnly.eventId, liveOnly.entries, liveOnly.at)).toBe('applied');
        }
        yield e;
      }
      throw new Error('orders database went away');
    }
    await expect(lb.board.rebuild(failing())).rejects.toThrow('orders database went away');
    expect(
      await lb.board.apply(replayedThenLive.eventId, replayedThenLive.entries, replayedThenLive.at),
    ).toBe('duplicate');
    expect(await lb.board.apply(liveOnly.eventId, liveOnly.entries, liveOnly.at)).toBe('duplicate');
    // the failed rebuild's marker does not make a first live delivery look like a duplicate
    expect(await lb.board.apply(replayedOnly.eventId, replayedOnly.entries, replayedOnly.at)).toBe('applied');
    expect(await boardState(lb.board, selectors)).toEqual(expected);
  });
});
