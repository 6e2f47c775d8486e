import { RedisConnections } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { RedisStreamsClient, streamNames, trimArgs, trimByGroups, xaddCapped } from '../src';
import { startInProcessServer } from './in-process';

describe('stream retention (approximate trimming on XADD)', () => {
  let redis: TestRedis;
  let connections: RedisConnections;

  beforeAll(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({ url: redis.url });
  });

  afterAll(async () => {
    await connections.close();
    await redis.dispose();
  });

  it('builds MAXLEN or MINID arguments', () => {
    expect(trimArgs(500)).toEqual(['MAXLEN', '~', 500]);
    const [kind, approx, minId] = trimArgs({ maxLength: 5, maxAgeMs: 60_000 });
    expect([kind, approx]).toEqual(['MINID', '~']);
    expect(Number(String(minId).split('-')[0])).toBeGreaterThan(Date.now() - 61_000);
  });

  it('keeps about maxLength entries', async () => {
    const client = connections.shared('data', 'background');
    for (let i = 0; i < 1000; i++) await xaddCapped(client, 'ret:len', { maxLength: 100 }, ['n', String(i)]);
    const length = await client.xlen('ret:len');
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
  });

  it('drops entries older than maxAgeMs', async () => {
    const client = connections.shared('data', 'background');
    for (let i = 1; i <= 1000; i++) await client.xadd('ret:age', `${i}-0`, 'n', String(i)); // ids from 1970
    await xaddCapped(client, 'ret:age', { maxAgeMs: 3_600_000 }, ['n', 'now']);
    expect(await client.xlen('ret:age')).toBeLessThan(200);
  });

  it('an event is never trimmed before every group has it: a group down during 5,000 emits (cap 100) then handles all 5,000', async () => {
    const retention = { events: { maxLength: 100 } };
    const handled = new Set<number>();
    const events = {
      'producer.tick': async (data: unknown) => void handled.add((data as { n: number }).n),
    };
    // The group exists (the service ran once), then its only consumer is down while the producer emits.
    const first = await startInProcessServer(redis.url, { retention, events });
    await first.close();

    const producerConnections = new RedisConnections({ url: redis.url, keyPrefix: 'fx' });
    const producer = new RedisStreamsClient({
      connections: producerConnections,
      service: 'producer',
      instanceId: 'producer-0',
      target: 'fixture',
      registry: new Registry(),
      retention,
    });
    for (let n = 0; n < 5000; n += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => producer.emit('producer.tick', { n: n + i }).toPromise()),
      );
    }
    const stream = streamNames.events(producerConnections.keys, 'producer');
    const client = producerConnections.shared();
    expect(await client.xlen(stream)).toBe(5000);

    const second = await startInProcessServer(redis.url, { retention, events, trimIntervalMs: 100 });
    try {
      await waitFor('all 5,000 events handled', () => handled.size === 5000, { timeoutMs: 30_000 });
      // Once every group has them, the stream is trimmed back to about its cap by the groups' positions.
      await waitFor('trimmed to about the cap', async () => (await client.xlen(stream)) <= 300, {
        timeoutMs: 10_000,
      });
    } finally {
      await second.close();
      await producer.close();
      await producerConnections.close();
    }
  });

  it('trimByGroups keeps what the slowest group has not acked, whatever the cap', async () => {
    const client = connections.shared('data', 'background');
    const stream = 'ret:groups';
    for (let i = 0; i < 50; i++) await client.xadd(stream, '*', 'n', String(i));
    await client.xgroup('CREATE', stream, 'fast', '0');
    await client.xgroup('CREATE', stream, 'slow', '0');
    await client.xgroup('CREATE', stream, 'pending', '0');
    await client.xreadgroup('GROUP', 'fast', 'c', 'COUNT', 50, 'STREAMS', stream, '>');
    const fast = (await client.xpending(stream, 'fast', '-', '+', 50)) as Array<[string]>;
    await client.xack(stream, 'fast', ...fast.map(([id]) => id));
    // "pending" read 30 and acked all but the 10th; "slow" has read 40 and acked all of them.
    const readPending = (await client.xpending(stream, 'fast', '-', '+', 1)) as unknown[];
    expect(readPending).toEqual([]);
    const slowRead = (await client.xreadgroup(
      'GROUP',
      'slow',
      'c',
      'COUNT',
      40,
      'STREAMS',
      stream,
      '>',
    )) as Array<[string, Array<[string, string[]]>]>;
    const slowIds = slowRead[0][1].map(([id]) => id);
    await client.xack(stream, 'slow', ...slowIds);
    const pendRead = (await client.xreadgroup(
      'GROUP',
      'pending',
      'c',
      'COUNT',
      30,
      'STREAMS',
      stream,
      '>',
    )) as Array<[string, Array<[string, string[]]>]>;
    const pendIds = pendRead[0][1].map(([id]) => id);
    await client.xack(stream, 'pending', ...pendIds.filter((_, i) => i !== 9));

    const removed = await trimByGroups(client, stream, { maxLength: 1 });
    expect(removed).toBe(9);
    const first = (await client.xrange(stream, '-', '+', 'COUNT', 1)) as Array<[string, string[]]>;
    expect(first[0][0]).toBe(pendIds[9]); // the oldest entry a group has not acked is kept
    expect(await trimByGroups(client, stream, { maxLength: 1000 })).toBe(0); // under the cap: nothing
  });
});
