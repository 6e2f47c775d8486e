import { RedisConnections } from '@shop/redis';
import {
  startServiceProcess,
  startTestRedis,
  waitFor,
  type ServiceProcess,
  sleep,
  type TestRedis,
} from '@shop/testing';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { WriteBehindFullError, WriteBehindQueue, type WriteBehindOptions } from '../src';

const FIXTURE = join(__dirname, 'fixtures', 'write-behind-consumer.ts');
const STREAM = 'wb:wb:{scores}:queue';
const LATEST = 'wb:wb:{scores}:latest';

async function consumer(url: string, id: string, delayMs: number): Promise<ServiceProcess> {
  const proc = await startServiceProcess({
    name: id,
    entry: FIXTURE,
    env: { REDIS_URL: url, INSTANCE_ID: id, PERSIST_DELAY_MS: String(delayMs) },
    waitReady: false,
  });
  await waitFor(`${id} ready`, () => proc.logs.includes('READY'), { timeoutMs: 30_000 });
  return proc;
}

describe('write-behind', () => {
  let redis: TestRedis;
  let connections: RedisConnections;
  let producer: WriteBehindQueue<number>;
  const procs: ServiceProcess[] = [];
  const queues: Array<WriteBehindQueue<number>> = [];

  beforeEach(async () => {
    redis = await startTestRedis({ appendOnly: true });
    connections = new RedisConnections({ url: redis.url, keyPrefix: 'wb', connectionName: 'producer' });
    producer = new WriteBehindQueue<number>({
      connections,
      name: 'scores',
      instanceId: 'producer',
      persist: async () => undefined,
      registry: new Registry(),
    });
    await waitFor('request client ready', () => connections.shared('data', 'request').status === 'ready');
  });

  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.kill()));
    await Promise.all(queues.splice(0).map((q) => q.stop()));
    await connections.close();
    await redis.dispose();
  });

  const db = () => connections.shared('data', 'background');

  /** An in-process consumer of the same queue, on the test's connections (stopped after the test). */
  function inProcess(
    options: Partial<WriteBehindOptions<number>> & Pick<WriteBehindOptions<number>, 'persist'>,
  ): WriteBehindQueue<number> {
    const queue = new WriteBehindQueue<number>({
      connections,
      name: 'scores',
      instanceId: 'in-process',
      registry: new Registry(),
      ...options,
    });
    queues.push(queue);
    return queue;
  }

  async function gaugeValue(registry: Registry, name: string): Promise<number | undefined> {
    const metric = registry.getSingleMetric(name);
    // get() runs the gauge's collect, as a scrape does.
    return (await metric?.get())?.values.find((v) => v.labels['queue'] === 'scores')?.value;
  }

  it('10,000 writes to 100 keys reach the store coalesced, with the final values', async () => {
    procs.push(await consumer(redis.url, 'wb-0', 0));
    // 100 in flight, not 500: this Redis fsyncs every write (appendfsync always), and on a loaded
    // machine the last of 500 queued writes outwaited the 500 ms command timeout.
    for (let i = 0; i < 10_000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => producer.write(`player-${(i + j) % 100}`, i + j)),
      );
    }
    await waitFor(
      'all 100 rows final',
      async () => {
        const rows = await db().hgetall('db:rows');
        return (
          Object.keys(rows).length === 100 &&
          Object.entries(rows).every(
            ([k, v]) => Number(v) >= 9900 && Number(v) % 100 === Number(k.split('-')[1]),
          )
        );
      },
      { timeoutMs: 30_000 },
    );
    const rows = await db().hgetall('db:rows');
    for (let k = 0; k < 100; k++) expect(rows[`player-${k}`]).toBe(String(9900 + k));
    const writes = Number(await db().get('db:row-writes'));
    expect(writes).toBeLessThan(10_000);
    expect(writes).toBeGreaterThanOrEqual(100);
  });

  it('a consumer SIGKILLed mid-batch loses nothing: another takes over its pending entries', async () => {
    const victim = await consumer(redis.url, 'wb-victim', 1500);
    procs.push(victim);
    for (let i = 0; i < 2000; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => producer.write(`k-${(i + j) % 300}`, i + j)));
    }
    await waitFor(
      'the victim is inside persist',
      async () => Number(await db().get('db:batches-started')) >= 1,
      { timeoutMs: 10_000 },
    );
    await victim.kill();
    const pending = (await db().xpending('wb:wb:{scores}:queue', 'writers')) as [number];
    expect(pending[0]).toBeGreaterThan(0);
    procs.push(await consumer(redis.url, 'wb-heir', 0));
    await waitFor(
      'every key persisted with its last value',
      async () => {
        const rows = await db().hgetall('db:rows');
        if (Object.keys(rows).length !== 300) return false;
        // The last write of key k-x is the largest n < 2000 with n % 300 === x.
        return Object.entries(rows).every(([k, v]) => {
          const x = Number(k.split('-')[1]);
          return Number(v) === x + 300 * Math.floor((1999 - x) / 300);
        });
      },
      { timeoutMs: 30_000 },
    );
    await waitFor(
      'nothing left pending',
      async () => ((await db().xpending('wb:wb:{scores}:queue', 'writers')) as [number])[0] === 0,
      {
        timeoutMs: 10_000,
      },
    );
    // Only the keys' latest values were held back; once persisted, nothing is left unsettled.
    expect(await db().hlen('wb:wb:{scores}:latest')).toBe(1); // the sequence counter
  });

  it('with the consumer down, the stream holds one entry per waiting key and the lag grows (Redis time)', async () => {
    const registry = new Registry();
    const rows = new Map<string, number>();
    const queue = inProcess({
      registry,
      persist: async (batch) => {
        for (const { key, value } of batch) rows.set(key, value);
      },
    });
    // 100 in flight, not 500: this Redis fsyncs every write (appendfsync always), and on a loaded
    // machine the last of 500 queued writes outwaited the 500 ms command timeout.
    for (let i = 0; i < 10_000; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => producer.write(`player-${(i + j) % 100}`, i + j)),
      );
    }
    // Writes of a waiting key only replace its value: no stream growth, nothing to trim.
    expect(await db().xlen(STREAM)).toBeLessThanOrEqual(100);
    await sleep(300);
    const stats = await queue.stats();
    expect(stats.pendingKeys).toBe(100);
    expect(stats.oldestUnpersistedAgeMs).toBeGreaterThanOrEqual(300);
    // Nothing runs a batch, yet a scrape sees the real lag.
    expect(await gaugeValue(registry, 'cache_write_behind_lag_seconds')).toBeGreaterThanOrEqual(0.3);
    expect(await gaugeValue(registry, 'cache_write_behind_pending_keys')).toBe(100);

    await queue.start();
    await waitFor(
      'all 100 keys persisted with their final values',
      async () => rows.size === 100 && (await queue.stats()).pendingKeys === 0,
      { timeoutMs: 30_000 },
    );
    for (let k = 0; k < 100; k++) expect(rows.get(`player-${k}`)).toBe(9900 + k);
    expect(await queue.stats()).toEqual({ oldestUnpersistedAgeMs: 0, pendingKeys: 0 });
    expect(await db().xlen(STREAM)).toBe(0);
    expect(((await db().xpending(STREAM, 'writers')) as [number])[0]).toBe(0);
    expect(await gaugeValue(registry, 'cache_write_behind_lag_seconds')).toBe(0);
    expect(await gaugeValue(registry, 'cache_write_behind_pending_keys')).toBe(0);
  });

  it('a write that arrives while its key is inside persist is persisted afterwards', async () => {
    const persisted: Array<Array<{ key: string; value: number; seq: number }>> = [];
    let entered!: () => void;
    const inPersist = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = inProcess({
      persist: async (batch) => {
        persisted.push(batch.map((b) => ({ ...b })));
        if (persisted.length === 1) {
          entered();
          await gate;
        }
      },
    });
    await queue.start();
    await producer.write('race', 1);
    await inPersist;
    await producer.write('race', 2);
    // The key was still waiting, so the second write only replaced its value and added no entry;
    // it is settling the first persist that must queue the key again.
    expect(await db().xlen(STREAM)).toBe(1);
    expect((await queue.stats()).pendingKeys).toBe(1);
    release();
    await waitFor('the second value persisted', () => persisted.length >= 2, { timeoutMs: 10_000 });
    await waitFor(
      'nothing left waiting',
      async () => (await db().xlen(STREAM)) === 0 && (await db().hlen(LATEST)) === 1,
      { timeoutMs: 10_000 },
    );
    // Each with its fencing sequence: the later write of the key has the larger one.
    expect(persisted).toEqual([[{ key: 'race', value: 1, seq: 1 }], [{ key: 'race', value: 2, seq: 2 }]]);
  });

  it('flushIntervalMs: the writes of a window persist as one store write per key; stop() cuts the window short', async () => {
    const persisted: Array<Array<{ key: string; value: number; seq: number }>> = [];
    const queue = inProcess({
      flushIntervalMs: 1000,
      blockMs: 20,
      persist: async (batch) => void persisted.push(batch.map((b) => ({ ...b }))),
    });
    await queue.start();
    // Into an idle queue: persisted at once, not after the window.
    await producer.write('a', 0);
    await waitFor('the first write persisted', () => persisted.length === 1, { timeoutMs: 500 });
    // Writes arriving during the window: one batch, each key with its latest value and sequence.
    for (let i = 1; i <= 20; i++) {
      await producer.write('a', i);
      await producer.write('b', i);
    }
    await waitFor('the window persisted', () => persisted.length === 2, { timeoutMs: 3000 });
    expect(persisted[0]).toEqual([{ key: 'a', value: 0, seq: 1 }]);
    expect([...persisted[1]].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { key: 'a', value: 20, seq: 40 },
      { key: 'b', value: 20, seq: 41 },
    ]);
    await waitFor('settled', async () => (await db().xlen(STREAM)) === 0, { timeoutMs: 3000 });
    // A write now waits out the rest of the window; stop() returns without waiting for it (its entry
    // stays pending for the next consumer).
    await producer.write('a', 21);
    const started = Date.now();
    await queue.stop();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('a persist slower than claimIdleMs keeps its claim: the batch is not taken over and written twice', async () => {
    const calls: string[] = [];
    const slow = (id: string) => async (batch: Array<{ key: string; value: number }>) => {
      calls.push(`${id}:${batch.map((b) => b.key).join(',')}`);
      await sleep(1500); // five times claimIdleMs
    };
    const a = inProcess({ instanceId: 'a', claimIdleMs: 300, persist: slow('a') });
    await a.start();
    await producer.write('slow', 1);
    await waitFor('a started persisting', () => calls.length === 1, { timeoutMs: 5000 });
    // B starts while A is mid-persist and sweeps for idle entries every claimIdleMs / 2.
    const b = inProcess({ instanceId: 'b', claimIdleMs: 300, persist: slow('b') });
    await b.start();
    await waitFor('settled', async () => (await db().xlen(STREAM)) === 0 && (await db().hlen(LATEST)) === 1, {
      timeoutMs: 10_000,
    });
    await sleep(400);
    expect(calls).toEqual(['a:slow']);
  });

  it('maxPendingKeys refuses new keys with E_WRITE_BEHIND_FULL, still coalesces waiting ones, loses nothing', async () => {
    const rows = new Map<string, number>();
    const queue = inProcess({
      maxPendingKeys: 10,
      persist: async (batch) => {
        for (const { key, value } of batch) rows.set(key, value);
      },
    });
    for (let k = 0; k < 10; k++) await queue.write(`k-${k}`, k);
    const refused: unknown = await queue.write('k-10', 10).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(WriteBehindFullError);
    expect((refused as WriteBehindFullError).code).toBe('E_WRITE_BEHIND_FULL');
    await expect(queue.write('k-3', 33)).resolves.toEqual(expect.any(Number)); // its sequence
    expect(await db().hexists(LATEST, 'k-10')).toBe(0);
    expect(await db().xlen(STREAM)).toBe(10);

    await queue.start();
    await waitFor(
      'the 10 accepted keys persisted',
      async () => rows.size === 10 && (await queue.stats()).pendingKeys === 0,
      { timeoutMs: 10_000 },
    );
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`k-${k}`, k === 3 ? 33 : k])),
    );
    // Once persisted, there is room again.
    await queue.write('k-10', 10);
    await waitFor('k-10 persisted', () => rows.get('k-10') === 10, { timeoutMs: 10_000 });
  });
});
