import { RedisConnections, type RedisClient } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { encode, streamNames } from '../src';
import { startInProcessServer } from './in-process';

const tick = (n: number, pattern = 'producer.tick') =>
  encode({ id: `${pattern}-${n}`, pattern, data: { n }, sender: 'test', ts: 0 });

describe('consumer housekeeping: reclaim beyond 100 pending rows, idle consumers removed, in-flight gauge', () => {
  let redis: TestRedis;
  let connections: RedisConnections;
  let client: RedisClient;
  let stream: string;

  beforeEach(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({ url: redis.url, keyPrefix: 'fx' });
    client = connections.shared('data', 'background');
    stream = streamNames.events(connections.keys, 'producer');
    await client.xgroup('CREATE', stream, 'fixture', '0', 'MKSTREAM');
  });

  afterEach(async () => {
    await connections.close();
    await redis.dispose();
  });

  /** Reads `count` new entries as `consumer`, then sets their idle time and delivery count. */
  async function deliverTo(consumer: string, count: number, idleMs: number, deliveries: number) {
    const reply = (await client.xreadgroup(
      'GROUP',
      'fixture',
      consumer,
      'COUNT',
      count,
      'STREAMS',
      stream,
      '>',
    )) as Array<[string, Array<[string, string[]]>]>;
    const ids = reply[0][1].map(([id]) => id);
    await client.call(
      'XCLAIM',
      stream,
      'fixture',
      consumer,
      '0',
      ...ids,
      'IDLE',
      String(idleMs),
      'RETRYCOUNT',
      String(deliveries),
      'JUSTID',
    );
    return ids;
  }

  it('takes over entries beyond the first 100 XPENDING rows when those are not claimable yet', async () => {
    // 100 entries of a dead consumer still in their retry backoff, then 50 it left long ago.
    for (let n = 0; n < 100; n++) await client.xadd(stream, '*', ...tick(n, 'producer.poison'));
    await deliverTo('dead-pod', 100, 2000, 3);
    for (let n = 0; n < 50; n++) await client.xadd(stream, '*', ...tick(n));
    await deliverTo('dead-pod', 50, 600_000, 1);

    const handled = new Set<number>();
    const app = await startInProcessServer(redis.url, {
      claimIdleMs: 60_000,
      retryDelayMs: 1000,
      concurrency: 200,
      events: {
        'producer.tick': async (data) => void handled.add((data as { n: number }).n),
        'producer.poison': async () => {
          throw new Error('poison');
        },
      },
    });
    try {
      await waitFor('the 50 entries after the first 100 rows handled', () => handled.size === 50, {
        timeoutMs: 5000,
      });
    } finally {
      await app.close();
    }
  });

  it('removes consumers idle past idleConsumerMs with nothing pending, never one with pending entries', async () => {
    await client.xadd(stream, '*', ...tick(1));
    await client.xadd(stream, '*', ...tick(2));
    await deliverTo('busy-pod', 1, 600_000, 1); // holds one pending entry
    await client.xgroup('CREATECONSUMER', stream, 'fixture', 'gone-pod');
    await waitFor('gone-pod idle', async () => {
      const consumers = (await client.xinfo('CONSUMERS', stream, 'fixture')) as Array<Array<string | number>>;
      return consumers.every((c) => Number(c[c.indexOf('idle') + 1]) > 300);
    });

    const app = await startInProcessServer(redis.url, {
      idleConsumerMs: 300,
      trimIntervalMs: 100,
      claimIdleMs: 3_600_000, // busy-pod's entry is not taken over during the test
      events: { 'producer.tick': async () => undefined },
    });
    const names = async () =>
      ((await client.xinfo('CONSUMERS', stream, 'fixture')) as Array<Array<string | number>>).map((c) =>
        String(c[1]),
      );
    try {
      await waitFor('gone-pod removed', async () => !(await names()).includes('gone-pod'), {
        timeoutMs: 5000,
      });
      expect(await names()).toEqual(expect.arrayContaining(['busy-pod', 'in-process-0']));
      const pending = (await client.xpending(stream, 'fixture')) as [number];
      expect(pending[0]).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('messaging_in_flight reports the handlers running now', async () => {
    const registry = new Registry();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const app = await startInProcessServer(redis.url, {
      registry,
      events: {
        'producer.tick': async () => {
          started++;
          await gate;
        },
      },
    });
    const gauge = async () => {
      const metric = await registry.getSingleMetric('messaging_in_flight')?.get();
      return metric?.values.find((v) => v.labels['stream'] === stream)?.value;
    };
    try {
      await client.xadd(stream, '*', ...tick(1));
      await client.xadd(stream, '*', ...tick(2));
      await waitFor('two handlers running', () => started === 2);
      expect(await gauge()).toBe(2);
      release();
      await waitFor('gauge back to 0', async () => (await gauge()) === 0);
    } finally {
      release();
      await app.close();
    }
  });
});
