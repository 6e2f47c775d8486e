import { startTestRedisCluster, waitFor, type TestRedisCluster } from '@shop/testing';
import { connect, type Socket } from 'node:net';
import { makeCache } from './helpers';

type Instance = Awaited<ReturnType<typeof makeCache>>;

/**
 * MONITOR over a plain socket: `+<time> [<db> <addr>] "cmd" "arg" ...` per command the node runs. Not
 * ioredis' monitor(): a line arriving in the same read as MONITOR's +OK, before the client has switched
 * to monitor mode, is taken as a reply to no command ("Command queue state error"), failing the test.
 */
function rawMonitor(port: number, onCommand: (time: number, args: string[]) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let pending = '';
    let started = false;
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('connect', () => socket.write('MONITOR\r\n'));
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (!started) {
          started = line === '+OK';
          if (started) resolve(socket);
          continue;
        }
        const time = Number(line.slice(1, line.indexOf(' ')));
        const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
        onCommand(time, args);
      }
    });
  });
}

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
    const sets: number[] = [];
    const publishes: number[] = [];
    const monitors = await Promise.all(
      cluster.ports.map((port) =>
        rawMonitor(port, (time, args) => {
          const command = args[0]?.toLowerCase();
          if (command === 'set' && args[1] === 'ct:cache:test:{order:8}') sets.push(time);
          if (command === 'publish' || command === 'spublish') publishes.push(time);
        }),
      ),
    );
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
      monitors.forEach((m) => m.destroy());
    }
  });
});
