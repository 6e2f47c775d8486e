import {
  startTestRedisCluster,
  startTestRedisSentinel,
  waitFor,
  type TestRedisCluster,
  type TestRedisSentinel,
} from '@shop/testing';
import { LuaScript, RedisConnections } from '../src';

describe('Cluster and Sentinel URLs against real deployments', () => {
  let cluster: TestRedisCluster;
  let sentinel: TestRedisSentinel;

  beforeAll(async () => {
    [cluster, sentinel] = await Promise.all([startTestRedisCluster(), startTestRedisSentinel()]);
  });

  afterAll(async () => {
    await Promise.all([cluster?.dispose(), sentinel?.dispose()]);
  });

  it('connects to a Cluster from a redis-cluster:// URL and follows slots; hash-tagged keys serve one script', async () => {
    const connections = new RedisConnections({ url: cluster.url, keyPrefix: 'ct' });
    try {
      const client = connections.shared('data', 'background');
      await waitFor('cluster ready', () => client.status === 'ready', { timeoutMs: 10_000 });
      // Keys spread over the three masters: every one is written and read back through MOVED handling.
      const keys = Array.from({ length: 30 }, (_, i) => connections.keys.key('item', i));
      await Promise.all(keys.map((k, i) => client.set(k, String(i), 'EX', 60)));
      expect(await Promise.all(keys.map((k) => client.get(k)))).toEqual(keys.map((_, i) => String(i)));

      const swap = new LuaScript<string>(
        'swap',
        "local a = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[2], a); return a",
      );
      const a = connections.keys.tagged('pair', 'p1', 'a');
      const b = connections.keys.tagged('pair', 'p1', 'b');
      await client.set(a, 'value', 'EX', 60);
      expect(await swap.run(client, [a, b], [])).toBe('value');
      expect(await client.get(b)).toBe('value');
    } finally {
      await connections.close();
    }
  });

  it('finds the master through Sentinel from a redis-sentinel:// URL', async () => {
    const connections = new RedisConnections({ url: sentinel.url, keyPrefix: 'st' });
    try {
      const client = connections.shared('data', 'request');
      await waitFor('sentinel-resolved master ready', () => client.status === 'ready', { timeoutMs: 10_000 });
      await client.set('st:probe', 'via-sentinel', 'EX', 60);
      expect(await sentinel.master.cli('GET', 'st:probe')).toBe('via-sentinel');
      expect(connections.health.state).toBe('up');
    } finally {
      await connections.close();
    }
  });
});
