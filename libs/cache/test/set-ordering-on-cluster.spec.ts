import { startTestRedisCluster, waitFor, type TestRedisCluster } from '@shop/testing';
import { Redis } from 'ioredis';
import { makeCache } from './helpers';

type Instance = Awaited<ReturnType<typeof makeCache>>;

// On a Cluster the write goes to the key's node and the bus message on another connection, so
// set() waits for the write's reply before publishing: no node may see the PUBLISH before the SET is
// applied, or a peer reading in between re-caches the old value. (A peer-read trial on a Cluster did
// not fail on the old code, as the cluster bus delays the message; MONITOR times do.)
describe('set() on a 3-master Cluster', () => {
  let cluster: TestRedisCluster;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    [a, b] = await Promise.all([makeCache(cluster.url, 'cl-a'), makeCache(cluster.url, 'cl-b')]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await cluster.dispose();
  });

  it('every SET is applied (MONITOR time on its node) before its PUBLISH is received by any node', async () => {
    // One host, one clock: MONITOR timestamps of the three nodes are comparable.
    const monitors = await Promise.all(cluster.ports.map((port) => new Redis({ port }).monitor()));
    const sets: number[] = [];
    const publishes: number[] = [];
    for (const monitor of monitors)
      monitor.on('monitor', (time: string, args: string[]) => {
        const command = args[0]?.toLowerCase();
        if (command === 'set' && args[1] === 'ct:cache:test:{order:8}') sets.push(Number(time));
        if (command === 'publish' || command === 'spublish') publishes.push(Number(time));
      });
    try {
      // MONITOR is active only some time after monitor() resolves: warm up until both kinds are logged.
      await waitFor(
        'monitors active',
        async () => {
          await a.cache.set('order:8', { version: 0 });
          await new Promise((r) => setTimeout(r, 20));
          return sets.length > 0 && sets.length === publishes.length;
        },
        { intervalMs: 5 },
      );
      sets.length = 0;
      publishes.length = 0;
      for (let i = 1; i <= 20; i++) await a.cache.set('order:8', { version: i });
      await waitFor('monitors caught up', () => sets.length >= 20 && publishes.length >= 20, {
        intervalMs: 5,
      });
      sets.sort((x, y) => x - y);
      publishes.sort((x, y) => x - y);
      const overtaken = sets.filter((at, i) => publishes[i] < at);
      expect(overtaken).toEqual([]);
    } finally {
      monitors.forEach((m) => m.disconnect());
    }
  });
});
