// npm run bench:transport — request/reply throughput and latency with 1 and 3 server processes, this
// transport vs Nest's built-in Transport.REDIS, plus events per second. One Redis, one run, same handlers.
import 'reflect-metadata';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { RedisConnections } from '@shop/redis';
import {
  startServiceProcess,
  startTestRedis,
  waitFor,
  runBench,
  workspaceRoot,
  writeBenchReport,
  type ServiceProcess,
  type TestRedis,
} from '@shop/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { RedisStreamsClient } from '../src';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 6000);
/** Each transport's time is split in this many alternating rounds; the table shows the median round. */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 5000);
// Narrow a run while profiling, e.g. BENCH_TRANSPORTS=streams BENCH_SERVERS=1.
const TRANSPORTS = (process.env['BENCH_TRANSPORTS'] ?? 'streams,nest-redis').split(',') as Array<
  'streams' | 'nest-redis'
>;
const SERVER_COUNTS = (process.env['BENCH_SERVERS'] ?? '1,3').split(',').map(Number);
/** USER_HZ: the unit of /proc/<pid>/stat times on Linux. */
const CLOCK_TICKS = 100;
const FIXTURE = join(__dirname, '..', 'test', 'fixtures', 'streams-service.ts');

interface Row {
  case: string;
  transport: string;
  servers: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Redis and caller-process CPU per request, in microseconds. */
  redisCpuUsPerOp?: number;
  callerCpuUsPerOp?: number;
  serverCpuUsPerOp?: number;
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
        // BENCH_PROFILE=1 writes a V8 CPU profile per server process to reports/profiles.
        nodeArgs: process.env['BENCH_PROFILE']
          ? ['--cpu-prof', `--cpu-prof-dir=${join(workspaceRoot(), 'reports', 'profiles')}`]
          : [],
      });
      await waitFor(`${name} ready`, () => proc.logs.some((l) => l.startsWith('READY')), {
        timeoutMs: 30_000,
      });
      return proc;
    }),
  );
}

/** Closed loop: CONCURRENCY callers each send the next request when the previous reply arrives. */
async function requestReply(
  client: ClientProxy,
  durationMs: number,
): Promise<{ ops: number; latencies: number[] }> {
  const latencies: number[] = [];
  const deadline = Date.now() + durationMs;
  let n = 0;
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
  return { ops: (latencies.length * 1000) / (Date.now() - started), latencies };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)];
}

/** CPU time Redis has used so far (user + sys), to see where a case spends its time. */
async function redisCpuMs(check: RedisConnections): Promise<number> {
  const info = await check.shared('data', 'background').info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? NaN);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? NaN);
  return (user + sys) * 1000;
}

/** CPU time (user + sys) the server processes have used so far, from /proc (Linux only; NaN elsewhere). */
function serverCpuMs(procs: ServiceProcess[]): number {
  try {
    return procs.reduce((total, p) => {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name) are utime and stime in ticks.
      const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return total + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    }, 0);
  } catch {
    return NaN;
  }
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

interface Contender {
  transport: BenchTransport;
  client: ClientProxy;
  close(): Promise<void>;
  latencies: number[];
  ops: number[];
  servers: ServiceProcess[];
  cpu: { redisMs: number; callerMs: number; serverMs: number; requests: number };
}
type BenchTransport = 'streams' | 'nest-redis';

async function contender(
  redis: TestRedis,
  transport: BenchTransport,
  servers: number,
  procs: ServiceProcess[],
): Promise<Contender> {
  const url = new URL(redis.url);
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
  // Warm-up: connections, scripts, JIT.
  await requestReply(client, 500);
  return {
    transport,
    client,
    latencies: [],
    ops: [],
    servers: procs,
    cpu: { redisMs: 0, callerMs: 0, serverMs: 0, requests: 0 },
    close: async () => {
      await client.close();
      await connections.close();
    },
  };
}

async function main(): Promise<void> {
  const redis = await startTestRedis();
  const check = new RedisConnections({ url: redis.url, keyPrefix: 'fx', connectionName: 'bench-check' });
  const rows: Row[] = [];
  try {
    for (const servers of SERVER_COUNTS) {
      // Both transports' servers run side by side; rounds alternate between them, so drift in the
      // machine's speed hits both alike. The idle side's servers only wait on a blocked read.
      const procsByTransport = await Promise.all(
        TRANSPORTS.map((t) => startServers(redis, t, servers, `${t}-${servers}`)),
      );
      const procs = procsByTransport.flat();
      const contenders = await Promise.all(
        TRANSPORTS.map((t, i) => contender(redis, t, servers, procsByTransport[i])),
      );
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? contenders : [...contenders].reverse();
        for (const c of order) {
          const redisCpu0 = await redisCpuMs(check);
          const serverCpu0 = serverCpuMs(c.servers);
          const callerCpu0 = process.cpuUsage();
          const { ops, latencies } = await requestReply(c.client, DURATION_MS / ROUNDS);
          const callerCpu = process.cpuUsage(callerCpu0);
          c.cpu.redisMs += (await redisCpuMs(check)) - redisCpu0;
          c.cpu.callerMs += (callerCpu.user + callerCpu.system) / 1000;
          c.cpu.serverMs += serverCpuMs(c.servers) - serverCpu0;
          c.cpu.requests += latencies.length;
          c.ops.push(ops);
          c.latencies.push(...latencies);
        }
      }
      for (const c of contenders) {
        const sorted = c.latencies.sort((a, b) => a - b);
        rows.push({
          case: 'request/reply',
          transport: c.transport,
          servers,
          opsPerSec: median(c.ops),
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          redisCpuUsPerOp: (c.cpu.redisMs * 1000) / c.cpu.requests,
          callerCpuUsPerOp: (c.cpu.callerMs * 1000) / c.cpu.requests,
          serverCpuUsPerOp: (c.cpu.serverMs * 1000) / c.cpu.requests,
        });
        process.stdout.write(
          `request/reply ${c.transport} x${servers}: median ${median(c.ops).toFixed(0)} ops/s of rounds ${c.ops.map((o) => o.toFixed(0)).join(', ')}\n`,
        );
      }
      if (servers === 3) {
        for (const c of contenders) {
          // Nest's Redis transport delivers every event to every instance; count distinct events handled.
          const eps = await eventsPerSecond(c.client, check, c.transport === 'streams' ? 0 : 1_000_000);
          rows.push({
            case: 'events',
            transport: c.transport,
            servers,
            opsPerSec: eps,
            p50Ms: NaN,
            p99Ms: NaN,
          });
          process.stdout.write(`events ${c.transport} x${servers}: ${eps.toFixed(0)} events/s\n`);
        }
      }
      await Promise.all(contenders.map((c) => c.close()));
      await Promise.all(procs.map((p) => p.stop()));
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
    `# bench:transport — ${new Date().toISOString()} — Node ${process.version}, 2 cores; ${CONCURRENCY} callers in flight, ${DURATION_MS} ms per transport in ${ROUNDS} alternating rounds (median round shown), ${EVENTS} events`,
    '',
    '| case | servers | streams ops/s | nest REDIS ops/s | ratio | streams p50 / p99 ms | nest p50 / p99 ms | Redis CPU µs/op streams / nest | caller CPU µs/op streams / nest | servers CPU µs/op streams / nest |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const kind of ['request/reply', 'events']) {
    for (const servers of [1, 3]) {
      const ours = rows.find((r) => r.case === kind && r.servers === servers && r.transport === 'streams');
      const theirs = rows.find(
        (r) => r.case === kind && r.servers === servers && r.transport === 'nest-redis',
      );
      if (!ours || !theirs) continue;
      lines.push(
        `| ${kind} | ${servers} | ${fmt(ours.opsPerSec)} | ${fmt(theirs.opsPerSec)} | ${fmt(ours.opsPerSec / theirs.opsPerSec, 2)}x | ${fmt(ours.p50Ms, 2)} / ${fmt(ours.p99Ms, 2)} | ${fmt(theirs.p50Ms, 2)} / ${fmt(theirs.p99Ms, 2)} | ${fmt(ours.redisCpuUsPerOp ?? NaN)} / ${fmt(theirs.redisCpuUsPerOp ?? NaN)} | ${fmt(ours.callerCpuUsPerOp ?? NaN)} / ${fmt(theirs.callerCpuUsPerOp ?? NaN)} | ${fmt(ours.serverCpuUsPerOp ?? NaN)} / ${fmt(theirs.serverCpuUsPerOp ?? NaN)} |`,
      );
    }
  }
  lines.push(
    '',
    'Nest REDIS runs each event on every instance (pub/sub); the streams transport runs it once per service, acked, durable.',
  );
  writeBenchReport('transport', lines.join('\n'), rows);
}

runBench(main);
