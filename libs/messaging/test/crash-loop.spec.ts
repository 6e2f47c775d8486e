import {
  startServiceProcess,
  startTestRedis,
  waitFor,
  type ServiceProcess,
  type TestRedis,
} from '@shop/testing';
import { streamNames } from '../src';
import { FIXTURE, makeClient } from './helpers';

describe('consumer: a message that crashes the process every time', () => {
  let redis: TestRedis;
  let producer: ReturnType<typeof makeClient>;
  const procs: ServiceProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    producer = makeClient(redis.url, 'producer-0', { service: 'producer' });
    await producer.client.connect();
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await producer.close();
    await redis.dispose();
  });

  it('is dead-lettered after maxDeliveries restarts under the same consumer name, and the service goes on', async () => {
    const redisClient = producer.connections.shared();
    const dlq = streamNames.deadLetter(producer.connections.keys, 'fixture', 'evt');
    await producer.client.emit('producer.crash', {}).toPromise();
    // The same INSTANCE_ID each time (a pod name): every restart reads its own pending entries first.
    // Before: each start ran the message again and died, forever; the reclaim pass that counts
    // deliveries never got its turn.
    let alive: ServiceProcess | undefined;
    for (let start = 1; start <= 6 && !alive; start++) {
      const proc = await startServiceProcess({
        name: 'fx-crash',
        entry: FIXTURE,
        env: { REDIS_URL: redis.url, INSTANCE_ID: 'fx-crash' },
        waitReady: false,
      });
      procs.push(proc);
      let exited = false;
      void proc.exited.then(() => (exited = true));
      await waitFor(
        `start ${start} crashed or dead-lettered the message`,
        async () => exited || (await redisClient.xlen(dlq)) > 0,
        { timeoutMs: 30_000 },
      );
      if (!exited) alive = proc;
    }
    expect(alive).toBeDefined();
    expect(Number(await redisClient.get('fx:crash-starts'))).toBe(3); // maxDeliveries of the fixture
    const [[, fields]] = (await redisClient.xrange(dlq, '-', '+')) as Array<[string, string[]]>;
    const letter = Object.fromEntries(
      Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]),
    );
    expect(letter['deliveries']).toBe('3');
    expect(letter['original']).toContain('producer.crash');
    // Nothing of it is left pending, and the service handles what comes next.
    await producer.client.emit('producer.tick', { n: 1 }).toPromise();
    await waitFor(
      'the next event handled',
      async () => (await redisClient.sismember('fx:finished', '1')) === 1,
    );
    const pending = (await redisClient.xpending(
      streamNames.events(producer.connections.keys, 'producer'),
      'fixture',
    )) as [number];
    expect(pending[0]).toBe(0);
  }, 120_000);
});
