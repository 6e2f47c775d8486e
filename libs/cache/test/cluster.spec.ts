import { startTestRedisCluster, waitFor, type TestRedisCluster } from '@shop/testing';
import { spawnSync } from 'node:child_process';
import type { Registry } from 'prom-client';
import { busMessages, makeCache } from './helpers';

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
}

/** Kills, on every node, the pub/sub connections whose name contains `needle`; returns how many. */
function killPubSub(cluster: TestRedisCluster, needle: string): number {
  let killed = 0;
  for (const port of cluster.ports) {
    for (const line of cli(port, 'CLIENT', 'LIST', 'TYPE', 'pubsub').split('\n')) {
      const id = /(?:^|\s)id=(\d+)/.exec(line)?.[1];
      if (id && line.includes(needle)) killed += Number(cli(port, 'CLIENT', 'KILL', 'ID', id));
    }
  }
  return killed;
}

/** The master owning `slot`: its port and node id, from CLUSTER NODES. */
function ownerOf(cluster: TestRedisCluster, slot: number): { port: number; id: string } {
  for (const line of cli(cluster.ports[0], 'CLUSTER', 'NODES').split('\n')) {
    const [id, address, flags, , , , , , ...ranges] = line.split(' ');
    if (!flags?.includes('master')) continue;
    for (const range of ranges) {
      const [from, to = from] = range.split('-').map(Number);
      if (slot >= from && slot <= to) return { port: Number(address.split(':')[1].split('@')[0]), id };
    }
  }
  throw new Error(`no owner of slot ${slot}`);
}

describe('Cache on a 3-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let instances: Array<Awaited<ReturnType<typeof makeCache>>>;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
  }, 60_000);

  beforeEach(async () => {
    for (const port of cluster.ports) cli(port, 'FLUSHALL');
    instances = await Promise.all(['a', 'b'].map((id) => makeCache(cluster.url, id)));
    await waitFor('both L2 clients ready', () =>
      instances.every((i) => i.connections.shared('cache', 'request').status === 'ready'),
    );
  });

  afterEach(async () => {
    await Promise.all(instances.map((i) => i.close()));
  });

  afterAll(async () => {
    await cluster?.dispose();
  });

  it('deleteByPattern deletes matching keys on every master (no CROSSSLOT) and drops them from every L1', async () => {
    const [a, b] = instances;
    for (let i = 0; i < 300; i++) await a.cache.set(`report:${i}`, i);
    await a.cache.set('keep:me', 'kept');
    expect(await b.cache.get('report:7')).toBe(7);
    const perMaster = cluster.ports.map((p) => Number(cli(p, 'DBSIZE')));
    expect(perMaster.every((n) => n > 0)).toBe(true); // the keys really are spread over the masters

    expect(await a.cache.deleteByPattern('report:*')).toBe(300);
    const total = cluster.ports.reduce((sum, p) => sum + Number(cli(p, 'DBSIZE')), 0);
    expect(total).toBe(1);
    await waitFor('b dropped its L1 copy', async () => (await b.cache.get('report:7')) === undefined);
    expect(await b.cache.get('keep:me')).toBe('kept');
    expect(await a.cache.deleteByPrefix('keep:')).toBe(1);
  });

  it('deleteByPattern rejects with E_PATTERN_DELETE_FAILED when a master cannot answer, instead of returning 0', async () => {
    const [a] = instances;
    for (let i = 0; i < 30; i++) await a.cache.set(`report:${i}`, i);
    cli(cluster.ports[1], 'CLIENT', 'PAUSE', '1500', 'ALL'); // the SCAN there outlives the 300 ms command timeout
    await expect(a.cache.deleteByPattern('report:*')).rejects.toMatchObject({
      code: 'E_PATTERN_DELETE_FAILED',
    });
    await waitFor('pause over', () => cli(cluster.ports[1], 'PING') === 'PONG', { timeoutMs: 5000 });
  });

  it('200 writes from one instance reach another with zero gaps (messages arrive in order)', async () => {
    const [a, b] = instances;
    const gaps: string[] = [];
    b.cache.on('gap', (reason: string) => gaps.push(reason));
    const registry = b.cache.options.registry as Registry;
    const before = await busMessages(registry, 'in');
    for (let i = 0; i < 200; i++) await a.cache.set(`item:${i % 20}`, i);
    await waitFor('b received all 200', async () => (await busMessages(registry, 'in')) - before >= 200, {
      timeoutMs: 10_000,
    });
    expect(gaps).toEqual([]);
  });

  it('a killed subscriber connection is noticed: the receiver declares a gap and hears later messages', async () => {
    const [a, b] = instances;
    await a.cache.set('price:1', 100);
    expect(await b.cache.get('price:1')).toBe(100); // in b's L1
    const gaps: string[] = [];
    b.cache.on('gap', (reason: string) => gaps.push(reason));
    expect(killPubSub(cluster, 'b:cache-cache-bus')).toBeGreaterThan(0);
    await waitFor('b declared a reconnect gap', () => gaps.includes('reconnect'), { timeoutMs: 10_000 });
    expect(await b.cache.get('price:1')).toBe(100); // from L2 into b's L1 again
    await a.cache.set('price:1', 200); // only the bus can tell b now
    await waitFor('b hears the next invalidation', async () => (await b.cache.get('price:1')) === 200);
  });

  it('a migration of the channel slot moves the subscription to the new owner: a gap, then messages are heard again', async () => {
    const [a, b] = instances;
    const channel = 'ct:cache-bus:test';
    const slot = Number(cli(cluster.ports[0], 'CLUSTER', 'KEYSLOT', channel));
    const from = ownerOf(cluster, slot);
    const toPort = cluster.ports.find((p) => p !== from.port) as number;
    const to = { port: toPort, id: cli(toPort, 'CLUSTER', 'MYID') };
    const gaps: string[] = [];
    b.cache.on('gap', (reason: string) => gaps.push(reason));
    // A channel is not a key: the slot is empty, so it can be handed over at once.
    for (const port of [to.port, from.port, ...cluster.ports.filter((p) => p !== to.port && p !== from.port)])
      expect(cli(port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id)).toBe('OK');
    await waitFor('b re-subscribed on the new owner', () => gaps.includes('reconnect'), {
      timeoutMs: 10_000,
    });
    const pinned = cli(to.port, 'CLIENT', 'LIST', 'TYPE', 'pubsub');
    expect(pinned).toContain('name=b:cache-cache-bus');
    await a.cache.set('price:9', 1);
    expect(await b.cache.get('price:9')).toBe(1);
    await a.cache.set('price:9', 2); // SPUBLISH follows MOVED to the new owner
    await waitFor('b hears the bus on the new owner', async () => (await b.cache.get('price:9')) === 2);
  });
});
