import { startTestRedisCluster, waitFor, type TestRedisCluster } from '@shop/testing';
import { Cluster, Redis } from 'ioredis';
import { RedisConnections } from '../src';

describe('RedisConnections.dedicatedNode against a real Cluster', () => {
  let cluster: TestRedisCluster;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
  }, 60_000);

  afterAll(async () => {
    await cluster?.dispose();
  });

  it('opens a plain connection to the one node asked for, named, and closes it with the rest', async () => {
    const connections = new RedisConnections({ url: cluster.url, keyPrefix: 'dn', connectionName: 'dn' });
    try {
      const port = cluster.ports[2];
      const node = connections.dedicatedNode('data', 'background', 'shard-sub', { host: '127.0.0.1', port });
      expect(node).toBeInstanceOf(Redis);
      expect(node).not.toBeInstanceOf(Cluster);
      await waitFor('node ready', () => node.status === 'ready');
      expect(String(await node.call('CLIENT', 'GETNAME'))).toBe('dn:data-shard-sub');
      const info = String(await node.call('CLUSTER', 'MYID'));
      const nodes = String(await node.call('CLUSTER', 'NODES'));
      expect(nodes.split('\n').find((l) => l.startsWith(info))).toContain(`:${port}@`);
      // A plain client does not follow slots: a key of another node answers MOVED.
      const errors = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          node.get(`dn:k${i}`).then(
            () => '',
            (e: Error) => e.message,
          ),
        ),
      );
      expect(errors.some((m) => m.startsWith('MOVED'))).toBe(true);
    } finally {
      await connections.close();
    }
  });

  it('on a standalone URL it is an ordinary dedicated connection', async () => {
    const connections = new RedisConnections({ url: 'redis://127.0.0.1:1', keyPrefix: 'dn' });
    try {
      const node = connections.dedicatedNode('data', 'background', 'x', { host: '127.0.0.1', port: 2 });
      expect(node).toBeInstanceOf(Redis);
      expect(node.options.port).toBe(1);
    } finally {
      await connections.close();
    }
  });
});
