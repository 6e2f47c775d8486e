// npm run bench:cache — this cache vs BentoCache vs cache-manager (Keyv memory + @keyv/redis), on one
// Redis in one run: L1 hit, L2 hit, getOrSet hit, getOrSet miss, set. One operation in flight at a time
// (the latency a request sees); ops/s and p50/p99 per row; ratios of this cache to each peer, and to a
// raw-ioredis floor measured in the same run (GET, SET, GET then SET of the same JSON): the Redis
// round trips each row cannot avoid.
import { Redis } from 'ioredis';
import { RedisConnections } from '@shop/redis';
import { runBench, startTestRedis, writeBenchReport } from '@shop/testing';
import { Registry } from 'prom-client';
import { Cache } from '../src';
import { Logger } from '@nestjs/common';

Logger.overrideLogger(['error']);

const { BentoCache, bentostore } = require('bentocache') as typeof import('bentocache');
const { redisDriver, redisBusDriver } =
  require('bentocache/drivers/redis') as typeof import('bentocache/drivers/redis');
const { memoryDriver } = require('bentocache/drivers/memory') as typeof import('bentocache/drivers/memory');
const { createCache } = require('cache-manager') as typeof import('cache-manager');
const { Keyv } = require('keyv') as typeof import('keyv');
const KeyvRedis = (require('@keyv/redis') as typeof import('@keyv/redis')).default;

const N_FAST = Number(process.env['BENCH_N_FAST'] ?? 50_000);
const N_SLOW = Number(process.env['BENCH_N_SLOW'] ?? 3000);
const VALUE = { id: 42, name: 'Ada Lovelace', email: 'ada@example.com', tags: ['a', 'b', 'c'], total: 12345 };

interface Adapter {
  name: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  getOrSet(key: string, loader: () => Promise<unknown>): Promise<unknown>;
  close(): Promise<void>;
}

type Row = { op: string; lib: string; opsPerSec: number; p50Us: number; p99Us: number };

async function measure(n: number, op: (i: number) => Promise<unknown>): Promise<Omit<Row, 'op' | 'lib'>> {
  for (let i = 0; i < Math.min(500, n); i++) await op(i); // warm-up (JIT, connections)
  const times = new Float64Array(n);
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await op(i);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort();
  return { opsPerSec: n / seconds, p50Us: times[Math.floor(n * 0.5)], p99Us: times[Math.floor(n * 0.99)] };
}

async function ours(url: string, id: string): Promise<Adapter> {
  const connections = new RedisConnections({ url, keyPrefix: 'bench', connectionName: id });
  const cache = new Cache({
    connections,
    name: 'ours',
    ttl: '10m',
    l1Ttl: '10m',
    registry: new Registry(),
    jitter: 0,
  });
  await cache.connect();
  await new Promise((r) => setTimeout(r, 100));
  return {
    name: 'this lib',
    get: (k) => cache.get(k),
    set: (k, v) => cache.set(k, v),
    getOrSet: (k, l) => cache.getOrSet(k, l),
    close: async () => {
      await cache.close();
      await connections.close();
    },
  };
}

async function bento(url: string): Promise<Adapter> {
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port) };
  const bc = new BentoCache({
    default: 'tiered',
    stores: {
      tiered: bentostore()
        .useL1Layer(memoryDriver({ maxSize: '100mb' }))
        .useL2Layer(redisDriver({ connection }))
        .useBus(redisBusDriver({ connection })),
    },
  });
  return {
    name: 'BentoCache',
    get: (key) => bc.get({ key }),
    set: (key, value) => bc.set({ key, value, ttl: '10m' }),
    getOrSet: (key, factory) => bc.getOrSet({ key, factory, ttl: '10m' }),
    close: () => bc.disconnectAll(),
  };
}

async function cacheManager(url: string): Promise<Adapter> {
  const l2 = new Keyv({ store: new KeyvRedis(url) });
  const cm = createCache({ stores: [new Keyv(), l2], ttl: 600_000 });
  return {
    name: 'cache-manager',
    get: (k) => cm.get(k),
    set: (k, v) => cm.set(k, v),
    getOrSet: (k, l) => cm.wrap(k, l),
    close: async () => {
      await cm.disconnect();
    },
  };
}

/** The floor: plain ioredis on one connection, JSON values, no tiers, no lease, no bus. */
function rawFloor(url: string) {
  const client = new Redis(url);
  const text = JSON.stringify(VALUE);
  return {
    client,
    prepare: async (n: number) => {
      for (let i = 0; i < n; i++) await client.set(`floor-l2-${i}`, text, 'PX', 600_000);
    },
    get: async (i: number) => JSON.parse((await client.get(`floor-l2-${i}`)) ?? 'null') as unknown,
    set: (i: number) => client.set(`floor-set-${i}`, JSON.stringify(VALUE), 'PX', 600_000),
    getThenSet: async (i: number) => {
      const found = await client.get(`floor-miss-${i}`);
      if (found === null) await client.set(`floor-miss-${i}`, JSON.stringify(VALUE), 'PX', 600_000);
    },
  };
}

/** The floor row of each operation that goes to Redis: what it is measured against. */
const FLOOR_OF: Record<string, string> = {
  'L2 hit': 'GET',
  'getOrSet miss': 'GET then SET',
  set: 'SET',
};
const FLOOR = 'ioredis floor';

async function main(): Promise<void> {
  const redis = await startTestRedis();
  const rows: Row[] = [];
  try {
    // All libraries are set up first and each row runs them in turn, so no library gets a quieter machine.
    const libs = [];
    for (const make of [(u: string) => ours(u, 'writer'), bento, cacheManager]) {
      const writer = await make(redis.url);
      const reader = await make(redis.url); // a second "instance": its first read of a key is an L2 hit
      libs.push({ writer, reader, prefix: writer.name.replace(/\W/g, '') });
    }
    const add = (op: string, lib: string, r: Omit<Row, 'op' | 'lib'>) => {
      rows.push({ op, lib, ...r });
      process.stdout.write(
        `${lib.padEnd(14)} ${op.padEnd(15)} ${r.opsPerSec.toFixed(0).padStart(8)} ops/s\n`,
      );
    };
    const floor = rawFloor(redis.url);
    await floor.prepare(N_SLOW + 500);
    for (const { writer, prefix } of libs) {
      await writer.set(`${prefix}-hot`, VALUE);
      for (let i = 0; i < N_SLOW + 500; i++) await writer.set(`${prefix}-l2-${i}`, VALUE);
    }
    for (const { writer, prefix } of libs)
      add('L1 hit', writer.name, await measure(N_FAST, () => writer.get(`${prefix}-hot`)));
    add('GET', FLOOR, await measure(N_SLOW, (i) => floor.get(i)));
    for (const { writer, reader, prefix } of libs)
      add('L2 hit', writer.name, await measure(N_SLOW, (i) => reader.get(`${prefix}-l2-${i}`)));
    // The second instances' work is done. In a deployment they are other processes: left open here,
    // every write row would also charge the writer's process with its peer receiving and applying each
    // invalidation message (this lib's and BentoCache's buses alike; cache-manager has none).
    for (const lib of libs) await lib.reader.close();
    for (const { writer, prefix } of libs)
      add(
        'getOrSet hit',
        writer.name,
        await measure(N_FAST, () => writer.getOrSet(`${prefix}-hot`, async () => VALUE)),
      );
    add('GET then SET', FLOOR, await measure(N_SLOW, (i) => floor.getThenSet(i)));
    for (const { writer, prefix } of libs)
      add(
        'getOrSet miss',
        writer.name,
        await measure(N_SLOW, (i) => writer.getOrSet(`${prefix}-miss-${i}`, async () => VALUE)),
      );
    add('SET', FLOOR, await measure(N_SLOW, (i) => floor.set(i)));
    for (const { writer, prefix } of libs)
      add('set', writer.name, await measure(N_SLOW, (i) => writer.set(`${prefix}-set-${i}`, VALUE)));
    floor.client.disconnect();
    for (const { writer } of libs) await writer.close();
  } finally {
    await redis.dispose();
  }
  report(rows);
}

function report(rows: Row[]): void {
  const ops = ['L1 hit', 'L2 hit', 'getOrSet hit', 'getOrSet miss', 'set'];
  const find = (op: string, lib: string) => rows.find((r) => r.op === op && r.lib === lib);
  const cell = (r?: Row) =>
    r ? `${r.opsPerSec.toFixed(0)} (${r.p50Us.toFixed(1)} / ${r.p99Us.toFixed(1)})` : '-';
  const lines = [
    `# bench:cache — ${new Date().toISOString()} — Node ${process.version}, 2 cores, one Redis, one operation in flight`,
    '',
    'ops/s (p50 / p99 µs)',
    '',
    '| operation | this lib | BentoCache | cache-manager | ioredis floor | vs BentoCache | vs cache-manager | vs floor | BentoCache vs floor | cache-manager vs floor |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const op of ops) {
    const a = find(op, 'this lib');
    const b = find(op, 'BentoCache');
    const c = find(op, 'cache-manager');
    const f = FLOOR_OF[op] ? find(FLOOR_OF[op], FLOOR) : undefined;
    const ratio = (x?: Row, y?: Row) => (x && y ? `${(x.opsPerSec / y.opsPerSec).toFixed(2)}x` : '-');
    const floorCell = f ? `${FLOOR_OF[op]}: ${cell(f)}` : '-';
    lines.push(
      `| ${op} | ${cell(a)} | ${cell(b)} | ${cell(c)} | ${floorCell} | ${ratio(a, b)} | ${ratio(a, c)} | ${ratio(a, f)} | ${ratio(b, f)} | ${ratio(c, f)} |`,
    );
  }
  writeBenchReport('cache', lines.join('\n'), rows);
}

runBench(main);
