import { RedisConnections } from '@shop/redis';
import {
  startServiceProcess,
  startTestRedis,
  waitFor,
  type ServiceProcess,
  type TestRedis,
} from '@shop/testing';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { WriteBehindQueue } from '../src';

const FIXTURE = join(__dirname, 'fixtures', 'write-behind-consumer.ts');

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
    await connections.close();
    await redis.dispose();
  });

  const db = () => connections.shared('data', 'background');

  it('10,000 writes to 100 keys reach the store coalesced, with the final values', async () => {
    procs.push(await consumer(redis.url, 'wb-0', 0));
    for (let i = 0; i < 10_000; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => producer.write(`player-${(i + j) % 100}`, i + j)),
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
});
