import { startTestRedis, waitFor, type ServiceProcess, type TestRedis } from '@shop/testing';
import { streamNames } from '../src';
import { makeClient, startFixtures } from './helpers';

describe('consumer: a failing dead letter or ack never kills the process or the read loop', () => {
  let redis: TestRedis;
  let producer: ReturnType<typeof makeClient>;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    producer = makeClient(redis.url, 'producer-0', { service: 'producer' });
    await producer.client.connect();
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.kill()));
    await producer.close();
    await redis.dispose();
  });

  it('dead-letter XADD fails with WRONGTYPE: the entry stays pending, logged, and later events are still handled', async () => {
    const { keys } = producer.connections;
    const redisClient = producer.connections.shared();
    const stream = streamNames.events(keys, 'producer');
    // The dead-letter key holds a string: every XADD to it answers WRONGTYPE.
    await redisClient.set(streamNames.deadLetter(keys, 'fixture', 'evt'), 'not a stream');
    services = await startFixtures(redis.url, 1);
    const [service] = services;
    let exit: unknown;
    void service.exited.then((e) => (exit = e));

    // Garbage goes to the dead letter at once; a poison event after maxDeliveries (3).
    const garbage = (await redisClient.xadd(stream, '*', 'junk', '1')) as string;
    await producer.client.emit('producer.poison', { n: 1 }).toPromise();
    const alive = () => {
      if (exit)
        throw new Error(`the service exited: ${JSON.stringify(exit)}\n${service.logs.slice(-5).join('\n')}`);
    };
    await waitFor(
      'both dead letters attempted and failed',
      () => {
        alive();
        return service.logs.filter((l) => l.includes('dead letter failed')).length >= 2 || undefined;
      },
      { timeoutMs: 15_000 },
    );

    for (let n = 0; n < 20; n++) await producer.client.emit('producer.tick', { n }).toPromise();
    await waitFor(
      'later events handled',
      async () => {
        alive();
        return (await redisClient.scard('fx:finished')) === 20;
      },
      { timeoutMs: 15_000 },
    );
    expect(exit).toBeUndefined();
    expect(service.logs.join('\n')).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
    // Both stay pending for a later reclaim (when the dead-letter key is fixed), nothing was dropped.
    const pending = (await redisClient.xpending(stream, 'fixture', '-', '+', 10)) as Array<[string]>;
    expect(pending.map(([id]) => id)).toContain(garbage);
    expect(pending).toHaveLength(2);
  });
});
