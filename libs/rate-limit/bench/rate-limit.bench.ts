// npm run bench:rate-limit — this limiter vs rate-limiter-flexible's RateLimiterRedis (ioredis) vs
// @nestjs/throttler's default in-memory storage, one Redis, one run. Every decision is allowed (a huge
// limit, 1,000 rotating clients) so each library does its full "count this request" path. Rows: one
// decision in flight (the latency a request sees) and 50 in flight (throughput of one process). The
// libraries are interleaved in 10 rounds (see measureInterleaved).
import { Logger } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { RedisConnections } from '@shop/redis';
import { runBench, startTestRedis, writeBenchReport } from '@shop/testing';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { RateLimiter, type RateLimitPolicy } from '../src';

Logger.overrideLogger(['error']);

const N = Number(process.env['BENCH_N'] ?? 20_000);
const CLIENTS = 1000;
const LIMIT = 1_000_000_000;

type Row = { op: string; lib: string; opsPerSec: number; p50Us: number; p99Us: number };
type Decide = (client: string) => Promise<unknown>;

const ROUNDS = 10;

/**
 * Runs every library in turn, ROUNDS times, N / ROUNDS decisions each time, so that load from other
 * processes on this shared machine falls on all of them alike instead of on whichever ran last.
 */
async function measureInterleaved(
  concurrency: number,
  libs: Array<{ lib: string; decide: Decide }>,
): Promise<Array<Omit<Row, 'op'>>> {
  const perRound = Math.floor(N / ROUNDS);
  const state = libs.map(() => ({ times: [] as number[], seconds: 0 }));
  for (const { decide } of libs) for (let i = 0; i < 1000; i++) await decide(`warm-${i % CLIENTS}`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [n, { decide }] of libs.entries()) {
      let next = 0;
      const started = process.hrtime.bigint();
      const worker = async () => {
        while (next < perRound) {
          const i = next++;
          const t0 = process.hrtime.bigint();
          await decide(`client-${(round * perRound + i) % CLIENTS}`);
          state[n].times.push(Number(process.hrtime.bigint() - t0) / 1000);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      state[n].seconds += Number(process.hrtime.bigint() - started) / 1e9;
    }
  }
  return libs.map(({ lib }, n) => {
    const times = Float64Array.from(state[n].times).sort();
    const count = times.length;
    return {
      lib,
      opsPerSec: count / state[n].seconds,
      p50Us: times[Math.floor(count * 0.5)],
      p99Us: times[Math.floor(count * 0.99)],
    };
  });
}

async function main(): Promise<void> {
  const redis = await startTestRedis();
  const rows: Row[] = [];
  const connections = new RedisConnections({ url: redis.url, keyPrefix: 'bench', connectionName: 'bench' });
  const api: RateLimitPolicy = { name: 'api', limit: LIMIT, window: '1m' };
  const burst: RateLimitPolicy = { name: 'burst', limit: LIMIT, window: '1s' };
  const ours = new RateLimiter({ connections, policies: [api, burst], registry: new Registry() });
  await ours.ready(5000);
  const ioredis = new Redis(redis.url, { protocol: 2 });
  const flexible = new RateLimiterRedis({
    storeClient: ioredis,
    points: LIMIT,
    duration: 60,
    keyPrefix: 'rlf',
  });
  const throttler = new ThrottlerStorageService();
  const libs: Array<{ lib: string; decide: Decide }> = [
    { lib: 'this lib (sliding counter)', decide: (c) => ours.consume(c, ['api']) },
    { lib: 'this lib, 2 policies / call', decide: (c) => ours.consume(c, ['api', 'burst']) },
    { lib: 'rate-limiter-flexible Redis', decide: (c) => flexible.consume(c, 1) },
    { lib: '@nestjs/throttler memory', decide: (c) => throttler.increment(c, 60_000, LIMIT, 0, 'default') },
  ];
  try {
    for (const concurrency of [1, 50]) {
      const op = `${concurrency} in flight`;
      for (const r of await measureInterleaved(concurrency, libs)) {
        rows.push({ op, ...r });
        process.stdout.write(
          `${r.lib.padEnd(30)} ${op.padEnd(12)} ${r.opsPerSec.toFixed(0).padStart(8)} decisions/s\n`,
        );
      }
    }
  } finally {
    throttler.onApplicationShutdown();
    ioredis.disconnect();
    await connections.close();
    await redis.dispose();
  }
  report(
    rows,
    libs.map((l) => l.lib),
  );
}

function report(rows: Row[], libs: string[]): void {
  const lines = [
    `# bench:rate-limit — ${new Date().toISOString()} — Node ${process.version}, 2 cores, one Redis, ${N} decisions per row, ${CLIENTS} clients`,
    '',
    'decisions/s (p50 / p99 µs); ratio = this lib (1 policy) / rate-limiter-flexible',
    '',
    `| in flight | ${libs.join(' | ')} | vs rate-limiter-flexible |`,
    `|---|${libs.map(() => '---').join('|')}|---|`,
  ];
  for (const op of [...new Set(rows.map((r) => r.op))]) {
    const cells = libs.map((lib) => rows.find((r) => r.op === op && r.lib === lib));
    const fmt = (r?: Row) =>
      r ? `${r.opsPerSec.toFixed(0)} (${r.p50Us.toFixed(0)} / ${r.p99Us.toFixed(0)})` : '-';
    const ratio = cells[0] && cells[2] ? `${(cells[0].opsPerSec / cells[2].opsPerSec).toFixed(2)}x` : '-';
    lines.push(`| ${op} | ${cells.map(fmt).join(' | ')} | ${ratio} |`);
  }
  writeBenchReport('rate-limit', lines.join('\n'), rows);
}

runBench(main);
