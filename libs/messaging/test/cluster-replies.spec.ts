import { RedisConnections } from '@shop/redis';
import { startTestRedisCluster, type TestRedisCluster } from '@shop/testing';
import { Registry } from 'prom-client';
import { firstValueFrom } from 'rxjs';
import { RedisStreamsClient, streamNames } from '../src';
import { startInProcessServer } from './in-process';

describe('commands on a Redis Cluster', () => {
  let cluster: TestRedisCluster;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  it('replies reach their callers by sharded pub/sub, none through the fallback stream', async () => {
    // Generous command timeouts: a fresh Cluster on a busy machine is slow, and this test is about routing.
    const app = await startInProcessServer(cluster.url, {
      redis: { commandTimeoutMs: 5000 },
      commands: {
        'math.sum': async (data) =>
          (data as { a: number; b: number }).a + (data as { a: number; b: number }).b,
      },
    });
    // Several callers, so reply channels hash to slots on different nodes.
    const callers = Array.from({ length: 6 }, (_, i) => {
      const connections = new RedisConnections({
        url: cluster.url,
        keyPrefix: 'fx',
        connectionName: `caller-${i}`,
        commandTimeoutMs: 5000,
      });
      const client = new RedisStreamsClient({
        connections,
        service: `caller${i}`,
        instanceId: `caller-${i}`,
        target: 'fixture',
        timeoutMs: 10_000,
        registry: new Registry(),
      });
      return { connections, client };
    });
    try {
      for (const { client } of callers) await client.connect();
      const sums = await Promise.all(
        callers.flatMap(({ client }) =>
          Array.from({ length: 20 }, (_, n) =>
            firstValueFrom(client.send<number>('math.sum', { a: n, b: 1 })),
          ),
        ),
      );
      expect(sums).toHaveLength(120);
      expect(callers.map(({ client }) => client.repliesReceived)).toEqual(
        callers.map(() => ({ pubsub: 20, stream: 0 })),
      );
      // PUBLISH counted a subscriber for every reply: none was also appended to a fallback stream.
      const redis = app.connections.shared();
      const lengths = await Promise.all(
        callers.map((_, i) =>
          redis.exists(streamNames.replies(app.connections.keys, `caller${i}`, `caller-${i}`)),
        ),
      );
      expect(lengths).toEqual(callers.map(() => 0));
    } finally {
      for (const { client, connections } of callers) {
        await client.close();
        await connections.close();
      }
      await app.close();
    }
  });
});
