import { sleep, startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import {
  RedisConnections,
  StreamGroupReader,
  type EntryOrigin,
  type RedisClient,
  type StreamBatchHandler,
  type StreamEntry,
  type StreamGroupReaderOptions,
} from '../src';

const STREAM = 'test:jobs';
const GROUP = 'workers';

interface Seen {
  id: string;
  origin: EntryOrigin;
  deliveries: number;
  owner?: string;
  at: number;
}

describe('StreamGroupReader against a real Redis', () => {
  let redis: TestRedis;
  let connections: RedisConnections;
  let db: RedisClient;
  const readers: StreamGroupReader[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  beforeEach(async () => {
    connections = new RedisConnections({
      url: redis.url,
      keyPrefix: 'test',
      connectionName: 'spec',
      maxReconnectDelayMs: 200,
    });
    db = connections.shared('data', 'background');
    await db.flushall();
  });

  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.stop(200)));
    await connections.close();
    await redis.start();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  /** Records each delivered entry; `handle` may be replaced to hold, fail or batch. */
  function reader(
    consumer: string,
    options: Partial<StreamGroupReaderOptions> = {},
    run?: (id: string) => Promise<void>,
  ): { reader: StreamGroupReader; seen: Seen[] } {
    const seen: Seen[] = [];
    const ack = (id: string) => db.xack(STREAM, GROUP, id).then(() => undefined);
    const record: StreamBatchHandler = (entries, deliveries, origin, owners) => {
      entries.forEach(([id], i) => {
        const d = typeof deliveries === 'number' ? deliveries : (deliveries[i] ?? 0);
        seen.push({ id, origin, deliveries: d, owner: owners?.[i], at: Date.now() });
        r.track(
          id,
          (run ?? ack)(id).catch(() => undefined),
        );
      });
    };
    const r = new StreamGroupReader({
      reader: connections.dedicated('data', 'background', `reader-${consumer}`),
      writer: db,
      stream: STREAM,
      group: GROUP,
      consumer,
      slots: 8,
      blockMs: 100,
      claimIdleMs: 1000,
      reclaimIntervalMs: 50,
      retryDelayMs: 100,
      handle: record,
      logger: { warn: () => undefined },
      logContext: { stream: STREAM },
      ...options,
    });
    readers.push(r);
    return { reader: r, seen };
  }

  const add = (n: number) => db.xadd(STREAM, '*', 'n', String(n)) as Promise<string>;
  const pending = async () => ((await db.xpending(STREAM, GROUP)) as [number])[0];

  /** Delivers `count` new entries to `consumer` and makes them look idle `idleMs`, as a crashed consumer leaves them. */
  async function leavePending(consumer: string, count: number, idleMs: number): Promise<string[]> {
    const reply = (await db.xreadgroup(
      'GROUP',
      GROUP,
      consumer,
      'COUNT',
      count,
      'STREAMS',
      STREAM,
      '>',
    )) as Array<[string, StreamEntry[]]>;
    const ids = (reply[0]?.[1] ?? []).map(([id]) => id);
    await db.call('XCLAIM', STREAM, GROUP, consumer, '0', ...ids, 'IDLE', String(idleMs), 'JUSTID');
    return ids;
  }

  it('reads its own pending entries first (left by a crash under the same name) with their delivery counts, then new ones', async () => {
    await db.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    for (let n = 0; n < 3; n++) await add(n);
    const left = await leavePending('me', 2, 0);
    // Two more restarts that read the first entry again and died before the ack: delivered 3 times.
    for (let i = 0; i < 2; i++) await db.xreadgroup('GROUP', GROUP, 'me', 'COUNT', 1, 'STREAMS', STREAM, '0');
    const fresh = await add(3);
    const { reader: r, seen } = reader('me');
    await r.start();
    await waitFor('all four handled', async () => seen.length === 4 && (await pending()) === 0);
    expect(seen.slice(0, 2).map((s) => [s.id, s.origin])).toEqual(left.map((id) => [id, 'own-pending']));
    // With their exact delivery counts, this one included (a crash loop is seen and can be dead-lettered).
    expect(seen.slice(0, 2).map((s) => [s.deliveries, s.owner])).toEqual([
      [4, 'me'],
      [2, 'me'],
    ]);
    expect(seen.slice(2).map((s) => s.origin)).toEqual(['new', 'new']);
    expect(seen[3]?.id).toBe(fresh);
  });

  it('reads COUNT = free slots: entries beyond them stay in the stream until a slot frees', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { reader: r, seen } = reader('me', { slots: 2 }, (id) =>
      gate.then(() => db.xack(STREAM, GROUP, id)).then(() => undefined),
    );
    await r.start();
    for (let n = 0; n < 5; n++) await add(n);
    await waitFor('two running', () => seen.length === 2);
    await sleep(300);
    expect(seen).toHaveLength(2);
    expect(r.inFlightCount).toBe(2);
    expect(await pending()).toBe(2); // the other three were not even read
    release();
    await waitFor('all five handled', async () => seen.length === 5 && (await pending()) === 0);
  });

  it("takes over an idle consumer's entries, each once, with its delivery count, a page of free slots at a time", async () => {
    await db.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    for (let n = 0; n < 5; n++) await add(n);
    const ghost = await leavePending('ghost', 5, 60_000);
    const { reader: r, seen } = reader('heir', { slots: 2 });
    await r.start();
    await waitFor('all five taken over', async () => seen.length === 5 && (await pending()) === 0);
    expect(seen.map((s) => s.id)).toEqual(ghost);
    expect(seen.every((s) => s.origin === 'claimed' && s.deliveries === 2 && s.owner === 'ghost')).toBe(true);
  });

  it("waits claimIdleMs before taking over another consumer's entry", async () => {
    await db.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    await add(0);
    await leavePending('slow', 1, 0);
    const { reader: r, seen } = reader('heir', { claimIdleMs: 600 });
    const started = Date.now();
    await r.start();
    await waitFor('taken over', () => seen.length === 1);
    expect((seen[0]?.at ?? 0) - started).toBeGreaterThanOrEqual(550);
  });

  it('retries an own entry that was not acked after a backoff that doubles per delivery', async () => {
    let attempts = 0;
    const { reader: r, seen } = reader('me', { retryDelayMs: 150, claimIdleMs: 5000 }, async (id) => {
      if (++attempts < 3) throw new Error('not yet');
      await db.xack(STREAM, GROUP, id);
    });
    await r.start();
    await add(0);
    await waitFor('handled on the third delivery', async () => seen.length === 3 && (await pending()) === 0);
    expect(seen.map((s) => [s.origin, s.deliveries])).toEqual([
      ['new', 1],
      ['claimed', 2],
      ['claimed', 3],
    ]);
    const [first, second, third] = seen.map((s) => s.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(140); // backoff of delivery 1: 150
    expect(third - second).toBeGreaterThanOrEqual(290); // of delivery 2: 300
  });

  it('keeps the claim of an entry handled longer than claimIdleMs: another consumer never takes it over', async () => {
    const { reader: a, seen: seenByA } = reader('a', { claimIdleMs: 300 }, async (id) => {
      await sleep(1200);
      await db.xack(STREAM, GROUP, id);
    });
    await a.start();
    await add(0);
    await waitFor('a handles it', () => seenByA.length === 1);
    const { reader: b, seen: seenByB } = reader('b', { claimIdleMs: 300 });
    await b.start();
    await waitFor('a acked it', async () => (await pending()) === 0, { timeoutMs: 5000 });
    await sleep(200);
    expect(seenByB).toHaveLength(0);
  });

  it('keeps the claim of entries handled longer than a short claimIdleMs, whatever the phase of the keep-alive timer they start at', async () => {
    // claimIdleMs 60: the keep-alive runs at its 50 ms floor, so an entry must be refreshed at the first
    // tick after which it could pass claimIdleMs, not only once it is a third of claimIdleMs old.
    const { reader: a, seen } = reader('a', { claimIdleMs: 60, slots: 16 }, async (id) => {
      await sleep(600);
      await db.xack(STREAM, GROUP, id);
    });
    await a.start();
    // What another instance's reclaim pass would see as taken over: a's entries idle claimIdleMs.
    const seenIdle = new Set<string>();
    let sweeping = true;
    const sweep = (async () => {
      while (sweeping) {
        const rows = (await db.xpending(STREAM, GROUP, 'IDLE', 60, '-', '+', 100)) as Array<[string]>;
        for (const [id] of rows) seenIdle.add(id);
        await sleep(3);
      }
    })();
    for (let n = 0; n < 12; n++) {
      await add(n);
      await sleep(4); // a reads them one by one: they start at every phase of a's keep-alive timer
    }
    await waitFor(
      'a handled and acked all twelve',
      async () => seen.length === 12 && (await pending()) === 0,
      {
        timeoutMs: 5000,
      },
    );
    sweeping = false;
    await sweep;
    expect([...seenIdle]).toEqual([]);
  });

  it('hands batches to a batch handler one at a time, and backs off and redelivers a rejected one', async () => {
    let running = 0;
    let most = 0;
    const batches: Array<[EntryOrigin, number]> = [];
    let failFirst = true;
    const acked = new Set<string>();
    const r = new StreamGroupReader({
      reader: connections.dedicated('data', 'background', 'reader-batches'),
      writer: db,
      stream: STREAM,
      group: GROUP,
      consumer: 'me',
      slots: 3,
      blockMs: 100,
      claimIdleMs: 300,
      reclaimIntervalMs: 50,
      retryDelayMs: 300,
      logger: { warn: () => undefined },
      logContext: {},
      handle: async (entries, _deliveries, origin) => {
        batches.push([origin, entries.length]);
        most = Math.max(most, ++running);
        try {
          await sleep(50);
          if (failFirst) {
            failFirst = false;
            throw new Error('store down');
          }
          await db.xack(STREAM, GROUP, ...entries.map(([id]) => id));
          for (const [id] of entries) acked.add(id);
        } finally {
          running--;
        }
      },
    });
    readers.push(r);
    await db.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    for (let n = 0; n < 7; n++) await add(n);
    await r.start();
    await waitFor('all seven acked', async () => acked.size === 7 && (await pending()) === 0);
    expect(most).toBe(1);
    expect(batches.every(([, size]) => size <= 3)).toBe(true);
    // The rejected batch came back, claimed after its backoff.
    expect(batches.some(([origin]) => origin === 'claimed')).toBe(true);
  });

  it('waits out the coalescing window after a read that did not fill the slots', async () => {
    const { reader: r, seen } = reader('me', { coalesceMs: 400 });
    await r.start();
    await add(0);
    await waitFor('first', () => seen.length === 1);
    await add(1);
    await waitFor('second', () => seen.length === 2);
    expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(350);
  });

  it('recreates a lost group (Redis emptied) and reads on', async () => {
    const { reader: r, seen } = reader('me');
    await r.start();
    await add(0);
    await waitFor('first handled', () => seen.length === 1);
    await db.flushall();
    await sleep(300);
    await add(1);
    await waitFor('handled after the group came back', () => seen.length === 2, { timeoutMs: 10_000 });
  });

  it('resumes reading by itself after Redis restarts', async () => {
    const { reader: r, seen } = reader('me');
    await r.start();
    await redis.restart();
    await waitFor('writer ready', () => db.status === 'ready', { timeoutMs: 10_000 });
    await add(0);
    await waitFor('handled after the restart', () => seen.length === 1, { timeoutMs: 10_000 });
  });

  it('stop() returns by its deadline with every slot busy; the busy entries are reported abandoned', async () => {
    const { reader: r, seen } = reader('me', { slots: 2 }, () => new Promise<void>(() => undefined));
    await r.start();
    for (let n = 0; n < 3; n++) await add(n);
    await waitFor('both slots busy', () => seen.length === 2);
    const started = Date.now();
    expect(await r.stop(300)).toEqual({ finished: 0, abandoned: 2, drained: false });
    expect(Date.now() - started).toBeLessThan(800);
  });

  it('stop() returns by its deadline while Redis hangs, and at once with Redis gone', async () => {
    const { reader: hung } = reader('hung');
    await hung.start();
    await sleep(150); // parked in XREADGROUP BLOCK
    const resume = await redis.pause();
    try {
      const started = Date.now();
      await hung.stop(300);
      expect(Date.now() - started).toBeLessThan(800);
    } finally {
      resume();
    }
    const { reader: gone } = reader('gone', { blockMs: 5000 });
    await gone.start();
    await redis.stop();
    await sleep(300); // the next read now waits for a reconnect
    const started = Date.now();
    await gone.stop(3000);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
