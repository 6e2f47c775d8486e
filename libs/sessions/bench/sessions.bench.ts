// npm run bench:sessions — this store vs connect-redis@8 (the last release that takes ioredis), on one Redis
// in one run, both on ioredis with RESP2. One operation in flight at a time (the latency a request
// sees); ops/s and p50/p99 per row. Our sessions are bound to a user, so every write also keeps the index.
import { Logger } from '@nestjs/common';
import { RedisConnections } from '@shop/redis';
import { runBench, startTestRedis, writeBenchReport } from '@shop/testing';
import type { SessionData, Store } from 'express-session';
import { Redis } from 'ioredis';
import { RedisSessionStore, newSid } from '../src';

Logger.overrideLogger(['error']);

const { RedisStore } = require('connect-redis') as {
  RedisStore: new (opts: { client: Redis; prefix?: string; ttl?: number }) => Store;
};

const N_FAST = Number(process.env['BENCH_N_FAST'] ?? 20_000);
const N_SLOW = Number(process.env['BENCH_N_SLOW'] ?? 5000);
const SESSIONS = 2000; // distinct sessions cycled through (within the touch throttle's memory)

type Row = { op: string; lib: string; opsPerSec: number; p50Us: number; p99Us: number };

type Result = Omit<Row, 'op' | 'lib'>;
const BLOCK = 500;

/**
 * Runs the two stores' operation in alternating blocks of BLOCK, so a load change on the shared machine
 * hits both rows alike; returns each one's ops/s (its own busy time) and percentiles.
 */
async function measurePair(
  n: number,
  ours: (i: number) => Promise<unknown>,
  peer: (i: number) => Promise<unknown>,
): Promise<[Result, Result]> {
  for (let i = 0; i < Math.min(500, n); i++) {
    await ours(i); // warm-up (JIT, connections, script cache)
    await peer(i);
  }
  const times = [new Float64Array(n), new Float64Array(n)];
  const busy = [0, 0];
  const ops = [ours, peer];
  for (let from = 0; from < n; from += BLOCK) {
    for (const which of [0, 1]) {
      const started = process.hrtime.bigint();
      for (let i = from; i < Math.min(n, from + BLOCK); i++) {
        const t0 = process.hrtime.bigint();
        await ops[which](i);
        times[which][i] = Number(process.hrtime.bigint() - t0) / 1000;
      }
      busy[which] += Number(process.hrtime.bigint() - started) / 1e9;
    }
  }
  const result = (which: number): Result => {
    const t = times[which].sort();
    return { opsPerSec: n / busy[which], p50Us: t[Math.floor(n * 0.5)], p99Us: t[Math.floor(n * 0.99)] };
  };
  return [result(0), result(1)];
}

const call = (fn: (cb: (err?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
const load = (store: Store, sid: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) =>
    store.get(sid, (err, s) => (err ? reject(err) : resolve(s))),
  );

function sessionOf(userId: string, i: number): SessionData {
  return {
    cookie: {
      originalMaxAge: 43_200_000,
      expires: new Date(Date.now() + 43_200_000),
      httpOnly: true,
      path: '/',
    },
    auth: { userId, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench', ip: '10.0.0.1' },
    cart: { items: [{ sku: `sku-${i % 50}`, qty: 1 }], currency: 'EUR' },
  } as unknown as SessionData;
}

async function main(): Promise<void> {
  const redis = await startTestRedis();
  const rows: Row[] = [];
  const closers: Array<() => Promise<unknown> | void> = [];
  try {
    const connections = new RedisConnections({ url: redis.url, keyPrefix: 'bench', connectionName: 'ours' });
    closers.push(() => connections.close());
    const ours = new RedisSessionStore({ connections, idleTtl: '30m', absoluteTtl: '12h' });
    // A second instance that extends on every touch: the cost of the touch script itself.
    const eager = new RedisSessionStore({ connections, idleTtl: '30m', touchAfter: 0, area: 'sess-eager' });
    await ours.ready(5000);
    const client = new Redis(redis.port, '127.0.0.1', { protocol: 2 });
    closers.push(() => client.disconnect());
    const peer = new RedisStore({ client, prefix: 'cr:', ttl: 1800 });

    const users = Array.from({ length: 200 }, (_, u) => `user-${u}`);
    const oursSids = Array.from({ length: SESSIONS }, (_, i) => newSid(users[i % users.length]));
    const eagerSids = Array.from({ length: SESSIONS }, (_, i) => newSid(users[i % users.length]));
    const peerSids = Array.from({ length: SESSIONS }, (_, i) => `peer-${i}`);
    for (let i = 0; i < SESSIONS; i++) {
      const s = sessionOf(users[i % users.length], i);
      await ours.setSession(oursSids[i], s);
      await eager.setSession(eagerSids[i], s);
      await call((cb) => peer.set(peerSids[i], s, cb));
    }
    const add = (op: string, lib: string, r: Omit<Row, 'op' | 'lib'>) => {
      rows.push({ op, lib, ...r });
      process.stdout.write(
        `${lib.padEnd(14)} ${op.padEnd(22)} ${r.opsPerSec.toFixed(0).padStart(8)} ops/s\n`,
      );
    };
    const pick = (sids: string[], i: number) => sids[i % SESSIONS];

    const pair = async (
      op: string,
      n: number,
      a: (i: number) => Promise<unknown>,
      b: (i: number) => Promise<unknown>,
    ) => {
      const [x, y] = await measurePair(n, a, b);
      add(op, 'this lib', x);
      add(op, 'connect-redis', y);
    };

    await pair(
      'get',
      N_FAST,
      (i) => load(ours, pick(oursSids, i)),
      (i) => load(peer, pick(peerSids, i)),
    );
    // express-session touches an unmodified session after loading it: inside the throttle window this
    // store answers without a round trip.
    await pair(
      'touch',
      N_FAST,
      (i) => call((cb) => ours.touch(pick(oursSids, i), {} as SessionData, cb)),
      (i) => call((cb) => peer.touch?.(pick(peerSids, i), sessionOf('x', i), cb)),
    );
    await pair(
      'touch (extends)',
      N_FAST,
      (i) => eager.touchSession(pick(eagerSids, i)),
      (i) => call((cb) => peer.touch?.(pick(peerSids, i), sessionOf('x', i), cb)),
    );
    await pair(
      'set',
      N_SLOW,
      (i) => ours.setSession(pick(oursSids, i), sessionOf(users[(i % SESSIONS) % users.length], i)),
      (i) => call((cb) => peer.set(pick(peerSids, i), sessionOf('x', i), cb)),
    );
    const [list] = await measurePair(
      N_SLOW,
      (i) => ours.listSessions(users[i % users.length]),
      async () => undefined,
    );
    add('list 1 user (10 sessions)', 'this lib', list);
  } finally {
    for (const close of closers) await close();
    await redis.dispose();
  }
  report(rows);
}

function report(rows: Row[]): void {
  const ops = ['get', 'touch', 'touch (extends)', 'set', 'list 1 user (10 sessions)'];
  const find = (op: string, lib: string) => rows.find((r) => r.op === op && r.lib === lib);
  const cell = (r?: Row) =>
    r ? `${r.opsPerSec.toFixed(0)} (${r.p50Us.toFixed(1)} / ${r.p99Us.toFixed(1)})` : '-';
  const lines = [
    `# bench:sessions — ${new Date().toISOString()} — Node ${process.version}, 2 cores, one Redis, one operation in flight`,
    '',
    'ops/s (p50 / p99 µs). connect-redis 8.1 on ioredis (RESP2); this store keeps the per-user index on every write.',
    '`touch`: express-session touch of a session loaded by this instance (ours: inside the throttle window, no round trip);',
    '`touch (extends)`: ours with touchAfter 0 (the Lua script every time) vs connect-redis EXPIRE.',
    '',
    '| operation | this lib | connect-redis | ratio |',
    '|---|---|---|---|',
  ];
  for (const op of ops) {
    const a = find(op, 'this lib');
    const b = find(op, 'connect-redis');
    const ratio = a && b ? `${(a.opsPerSec / b.opsPerSec).toFixed(2)}x` : '-';
    lines.push(`| ${op} | ${cell(a)} | ${cell(b)} | ${ratio} |`);
  }
  writeBenchReport('sessions', lines.join('\n'), rows);
}

runBench(main);
