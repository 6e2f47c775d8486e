import { RedisConnections } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { WriteBehindConflictError, WriteBehindQueue, type WriteBehindItem } from '../src';

// Conditional write-behind: a value is readable by every instance the moment it is accepted, a check of
// the current value and the write that depends on it are atomic, and with `retainMs` the value stays
// readable and comparable after it was persisted.
describe('write-behind read / ifSeq / update', () => {
  let redis: TestRedis;
  const connections: RedisConnections[] = [];
  const queues: Array<WriteBehindQueue<{ n: number }>> = [];
  let persisted: Array<WriteBehindItem<{ n: number }>>;

  const queue = (id: string, retainMs = 60_000, consume = false) => {
    const c = new RedisConnections({
      url: redis.url,
      keyPrefix: 'wbc',
      connectionName: id,
      commandTimeoutMs: 500,
    });
    connections.push(c);
    const q = new WriteBehindQueue<{ n: number }>({
      connections: c,
      name: 'counters',
      instanceId: id,
      retainMs,
      blockMs: 20,
      persist: async (batch) => {
        persisted.push(...batch);
      },
      registry: new Registry(),
    });
    queues.push(q);
    return consume ? q.start().then(() => q) : Promise.resolve(q);
  };

  beforeEach(async () => {
    redis = await startTestRedis();
    persisted = [];
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop()));
    await Promise.all(connections.splice(0).map((c) => c.close()));
    await redis.dispose();
  });

  it('reads an accepted value on another instance at once, and the retained value after it was persisted', async () => {
    const a = await queue('a');
    const b = await queue('b');
    const seq = await a.write('k1', { n: 1 });
    expect(await b.read('k1')).toEqual({ value: { n: 1 }, seq, waiting: true });
    await b.start(); // now a consumer persists it
    await waitFor('persisted', () => (persisted.length === 1 ? true : undefined));
    await waitFor('settled', async () => ((await a.read('k1'))?.waiting === false ? true : undefined));
    expect(await a.read('k1')).toEqual({ value: { n: 1 }, seq, waiting: false });
    expect(await a.readMany(['k1', 'nope'])).toEqual([{ value: { n: 1 }, seq, waiting: false }, undefined]);
  });

  it('applies an ifSeq write only at that sequence; ifSeq 0 only for a key not written within retainMs', async () => {
    const a = await queue('a');
    await expect(a.write('k2', { n: 1 }, { ifSeq: 7 })).rejects.toBeInstanceOf(WriteBehindConflictError);
    const s1 = await a.write('k2', { n: 1 }, { ifSeq: 0 });
    await expect(a.write('k2', { n: 9 }, { ifSeq: 0 })).rejects.toMatchObject({
      code: 'E_WRITE_BEHIND_CONFLICT',
      currentSeq: s1,
    });
    const s2 = await a.write('k2', { n: 2 }, { ifSeq: s1 });
    expect(s2).toBeGreaterThan(s1);
    expect((await a.read('k2'))?.value).toEqual({ n: 2 });
    // Persisted and settled: still not "absent" for ifSeq 0.
    await a.start();
    await waitFor('settled', async () => ((await a.read('k2'))?.waiting === false ? true : undefined));
    await expect(a.write('k2', { n: 3 }, { ifSeq: 0 })).rejects.toBeInstanceOf(WriteBehindConflictError);
    expect(persisted.at(-1)).toEqual({ key: 'k2', value: { n: 2 }, seq: s2 });
  });

  it('update is an atomic read-modify-write across instances: 20 concurrent increments from two instances give 20', async () => {
    const a = await queue('a');
    const b = await queue('b');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).update('k3', (cur) => ({ n: (cur?.value.n ?? 0) + 1 }), 50),
      ),
    );
    expect((await a.read('k3'))?.value).toEqual({ n: 20 });
  });

  it('update starts from the value this instance wrote (one round trip) and still sees changes made meanwhile', async () => {
    const a = await queue('a');
    const b = await queue('b');
    const calls = async () =>
      Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.cli('INFO', 'commandstats'))?.[1] ?? 0);
    const seen: Array<{ n: number; seq: number; waiting: boolean } | undefined> = [];
    const inc = (cur: { value: { n: number }; seq: number; waiting: boolean } | undefined) => {
      seen.push(cur && { n: cur.value.n, seq: cur.seq, waiting: cur.waiting });
      return { n: (cur?.value.n ?? 0) + 1 };
    };
    const first = await a.update('k5', inc);
    const before = await calls();
    const second = await a.update('k5', inc);
    expect(await calls()).toBe(before + 1); // the compare-and-set only, no read
    expect(second.value).toEqual({ n: 2 });
    // Another instance writes: the remembered value is refused and the current one comes with the refusal.
    const third = await b.write('k5', { n: 10 }, { ifSeq: second.seq });
    const fourth = await a.update('k5', inc);
    expect(fourth.value).toEqual({ n: 11 });
    // Persisted meanwhile (same sequence, no longer waiting): refused too, so next sees it as it is now.
    await b.start();
    await waitFor('settled', async () => ((await b.read('k5'))?.waiting === false ? true : undefined));
    const fifth = await a.update('k5', inc);
    expect(fifth.value).toEqual({ n: 12 });
    expect(seen).toEqual([
      undefined,
      { n: 1, seq: first.seq, waiting: true },
      { n: 2, seq: second.seq, waiting: true }, // remembered, refused
      { n: 10, seq: third, waiting: true },
      { n: 11, seq: fourth.seq, waiting: true }, // remembered, refused
      { n: 11, seq: fourth.seq, waiting: false },
    ]);
    expect((await b.read('k5'))?.value).toEqual({ n: 12 });
  });

  it('a refusal of next on the remembered value is checked against the current one first', async () => {
    const a = await queue('a');
    const b = await queue('b');
    await a.update('k6', () => ({ n: 1 }));
    await b.write('k6', { n: 5 }); // a still remembers 1
    // Refuses below 5: on the remembered 1 it would refuse, on the current 5 it applies.
    const upTo5 = (cur: { value: { n: number } } | undefined) => {
      if ((cur?.value.n ?? 0) < 5) throw new Error(`only from 5, not ${cur?.value.n}`);
      return { n: (cur?.value.n ?? 0) + 1 };
    };
    expect((await a.update('k6', upTo5)).value).toEqual({ n: 6 });
    // A refusal of the current value stands.
    await expect(a.update('k6', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect((await b.read('k6'))?.value).toEqual({ n: 6 });
  });

  it('update writes nothing when next refuses', async () => {
    const a = await queue('a');
    await a.write('k4', { n: 5 });
    await expect(
      a.update('k4', () => {
        throw new Error('cannot go from 5 to 6');
      }),
    ).rejects.toThrow('cannot go from 5 to 6');
    expect((await a.read('k4'))?.value).toEqual({ n: 5 });
  });

  it('without retainMs, read sees waiting keys only', async () => {
    const a = await queue('a', 0, true);
    await a.write('k5', { n: 1 });
    await waitFor('persisted', () => (persisted.some((p) => p.key === 'k5') ? true : undefined));
    await waitFor('settled', async () => ((await a.read('k5')) === undefined ? true : undefined));
  });
});

// A data Redis restarted without its data loses the consumer group: the consumer recreates it and
// persisting goes on (it looped on NOGROUP while writes kept being accepted).
describe('write-behind after a data loss', () => {
  it('recreates its consumer group and persists new writes', async () => {
    const redis = await startTestRedis();
    const c = new RedisConnections({
      url: redis.url,
      keyPrefix: 'wbl',
      connectionName: 'loss',
      commandTimeoutMs: 500,
      maxReconnectDelayMs: 100,
    });
    const persisted: string[] = [];
    const q = new WriteBehindQueue<string>({
      connections: c,
      name: 'loss',
      instanceId: 'a',
      blockMs: 20,
      persist: async (batch) => {
        persisted.push(...batch.map((b) => b.value));
      },
      registry: new Registry(),
    });
    try {
      await q.start();
      await waitFor('ready', () => (c.shared('data', 'request').status === 'ready' ? true : undefined));
      await q.write('k', 'before');
      await waitFor('persisted before', () => (persisted.includes('before') ? true : undefined));
      await redis.stop(); // nothing on disk: a restart comes back empty
      await redis.start();
      await waitFor('reconnected', () => (c.shared('data', 'request').status === 'ready' ? true : undefined));
      await waitFor(
        'a write after the loss persisted',
        async () => {
          await q.write('k', 'after').catch(() => undefined);
          return persisted.includes('after') ? true : undefined;
        },
        { timeoutMs: 15_000 },
      );
    } finally {
      await q.stop();
      await c.close();
      await redis.dispose();
    }
  });
});
