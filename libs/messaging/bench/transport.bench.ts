// npm run bench:transport — request/reply throughput and latency with 1 and 3 server processes, this
// transport vs Nest's built-in Transport.REDIS, plus events per second. One Redis, one run, same handlers.
import 'reflect-metadata';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { RedisConnections } from '@shop/redis';
import {
  startServiceProcess,
  startTestRedis,
  waitFor,
  workspaceRoot,
  type ServiceProcess,
  type TestRedis,
} from '@shop/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { RedisStreamsClient } from '../src';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 5000);
const FIXTURE = join(__dirname, '..', 'test', 'fixtures', 'streams-service.ts');

interface Row {
  case: string;
  transport: string;
  servers: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function startServers(
  redis: TestRedis,
  transport: string,
  count: number,
  tag: string,
): Promise<ServiceProcess[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `bench-${tag}-${i}`;
      const proc = await startServiceProcess({
        name,
        entry: FIXTURE,
        env: { REDIS_URL: redis.url, INSTANCE_ID: name, TRANSPORT: transport },
        waitReady: false,
      });
      await waitFor(`${name} ready`, () => proc.logs.some((l) => l.startsWith('READY')), {
        timeoutMs: 30_000,
      });
      return proc;
    }),
  );
}

/** Closed loop: CONCURRENCY callers each send the next request when the previous reply arrives. */
async function requestReply(client: ClientProxy): Promise<{ ops: number; latencies: number[] }> {
  const latencies: number[] = [];
  const deadline = Date.now() + DURATION_MS;
  let n = 0;
  // Warm-up: connections, scripts, JIT.
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      firstValueFrom(client.send('math.sum', { a: i, b: 1, caller: 'w' })),
    ),
  );
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline) {
        const t0 = process.hrtime.bigint();
        const i = n++;
        const reply = await firstValueFrom(
          client.send<{ sum: number }>('math.sum', { a: i, b: 1, caller: 'b' }),
        );
        if (reply.sum !== i + 1) throw new Error('wrong reply');
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return {
    ops: (latencies.length * 1000) / (Date.now() - started),
    latencies: latencies.sort((a, b) => a - b),
  };
}

async function eventsPerSecond(
  client: ClientProxy,
  check: RedisConnections,
  offset: number,
): Promise<number> {
  const redis = check.shared('data', 'background');
  const before = await redis.scard('fx:seen');
  const started = Date.now();
  for (let i = 0; i < EVENTS; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, EVENTS - i) }, (_, j) =>
        firstValueFrom(client.emit('producer.tick', { n: offset + i + j }), { defaultValue: undefined }),
      ),
    );
  }
  await waitFor('events handled', async () => (await redis.scard('fx:seen')) - before >= EVENTS, {
    timeoutMs: 120_000,
    intervalMs: 20,
  });
  return (EVENTS * 1000) / (Date.now() - started);
}

async function main(): Promise<void> {
  const redis = await startTestRedis();
  const check = new RedisConnections({ url: redis.url, keyPrefix: 'fx', connectionName: 'bench-check' });
  const rows: Row[] = [];
  const url = new URL(redis.url);
  try {
    for (const servers of [1, 3]) {
      for (const transport of ['streams', 'nest-redis'] as const) {
        const procs = await startServers(redis, transport, servers, `${transport}-${servers}`);
        const connections = new RedisConnections({
          url: redis.url,
          keyPrefix: 'fx',
          connectionName: `bench-client-${transport}`,
        });
        const client: ClientProxy =
          transport === 'streams'
            ? new RedisStreamsClient({
                connections,
                service: 'producer',
                instanceId: `bench-${servers}`,
                target: 'fixture',
                timeoutMs: 30_000,
              })
            : ClientProxyFactory.create({
                transport: Transport.REDIS,
                options: { host: url.hostname, port: Number(url.port) },
              });
        await client.connect();
        const { ops, latencies } = await requestReply(client);
        rows.push({
          case: 'request/reply',
          transport,
          servers,
          opsPerSec: ops,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
        });
        process.stdout.write(`request/reply ${transport} x${servers}: ${ops.toFixed(0)} ops/s\n`);
        if (servers === 3) {
          // Nest's Redis transport delivers every event to every instance; count distinct events handled.
          const eps = await eventsPerSecond(client, check, transport === 'streams' ? 0 : 1_000_000);
          rows.push({ case: 'events', transport, servers, opsPerSec: eps, p50Ms: NaN, p99Ms: NaN });
          process.stdout.write(`events ${transport} x${servers}: ${eps.toFixed(0)} events/s\n`);
        }
        await client.close();
        await connections.close();
        await Promise.all(procs.map((p) => p.stop()));
      }
    }
  } finally {
    await check.close();
    await redis.dispose();
  }
  report(rows);
}

function report(rows: Row[]): void {
  const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const lines = [
    `# bench:transport — ${new Date().toISOString()} — Node ${process.version}, 2 cores; ${CONCURRENCY} callers in flight, ${DURATION_MS} ms per case, ${EVENTS} events`,
    '',
    '| case | servers | streams ops/s | nest REDIS ops/s | ratio | streams p50 / p99 ms | nest p50 / p99 ms |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const kind of ['request/reply', 'events']) {
    for (const servers of [1, 3]) {
      const ours = rows.find((r) => r.case === kind && r.servers === servers && r.transport === 'streams');
      const theirs = rows.find(
        (r) => r.case === kind && r.servers === servers && r.transport === 'nest-redis',
      );
      if (!ours || !theirs) continue;
      lines.push(
        `| ${kind} | ${servers} | ${fmt(ours.opsPerSec)} | ${fmt(theirs.opsPerSec)} | ${fmt(ours.opsPerSec / theirs.opsPerSec, 2)}x | ${fmt(ours.p50Ms, 2)} / ${fmt(ours.p99Ms, 2)} | ${fmt(theirs.p50Ms, 2)} / ${fmt(theirs.p99Ms, 2)} |`,
      );
    }
  }
  lines.push(
    '',
    'Nest REDIS runs each event on every instance (pub/sub); the streams transport runs it once per service, acked, durable.',
  );
  const text = lines.join('\n');
  process.stdout.write(`\n${text}\n`);
  const dir = join(workspaceRoot(), 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bench-transport.md'), `${text}\n`);
  writeFileSync(join(dir, 'bench-transport.json'), JSON.stringify(rows, null, 2));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
