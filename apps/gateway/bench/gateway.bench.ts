// npm run bench:gateway — `GET /api/products/MUG-RED` over HTTP with autocannon, one run, four servers,
// each its own process (autocannon runs here, in the bench process): the built gateway with its HTTP
// response cache (X-Cache: HIT), a second gateway with HTTP_CACHE=off (every request a command to the
// orders service over Redis Streams), a Nest app with @nestjs/cache-manager's CacheInterceptor on
// Keyv + @keyv/redis (cache Redis), and a bare Nest controller returning the constant product (the
// ceiling). Every row has the rate limit on the path (one Redis decision per request, limit huge).
// Each row is checked first (200, the product body, the expected X-Cache); then a warm-up per row and
// alternating rounds so machine drift hits all rows alike. Table (req/s, p50/p99 over all rounds,
// non-2xx) and ratios printed and written to reports/bench-gateway.md.
import 'reflect-metadata';
import {
  createTestDatabase,
  freePort,
  runBench,
  startBuiltService,
  startServiceProcess,
  startTestRedis,
  workspaceRoot,
  writeBenchReport,
  type ServiceProcess,
} from '@shop/testing';
import { Redis } from 'ioredis';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';

interface CannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
interface CannonInstance {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
  ): void;
}
type Cannon = (
  options: { url: string; connections: number; duration: number; pipelining: number },
  done: (err: Error | null, result: CannonResult) => void,
) => CannonInstance;
const autocannon = require('autocannon') as Cannon;

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 10);
const WARMUP_S = Number(process.env['BENCH_WARMUP_S'] ?? 2);
const ROUND_S = Number(process.env['BENCH_ROUND_S'] ?? 2);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 4);
const SKU = 'MUG-RED';
const PATH = `/api/products/${SKU}`;
const ADMIN = { username: 'root_admin', password: 'admin-password-123' };

interface Target {
  name: string;
  url: string;
  /** What `X-Cache` must say on a warm request: HIT, or absent/BYPASS (no cache on the path). */
  xCache: 'HIT' | 'none';
}
interface Measured {
  latenciesMs: number[];
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  /** Redis commands executed meanwhile (any client), data and cache Redis. */
  dataCalls: Record<string, number>;
  cacheCalls: Record<string, number>;
}
interface Row {
  server: string;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  responses: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  dataCmdsPerReq: number;
  cacheCmdsPerReq: number;
  /** Per command, over all rounds (every client of the server, background work included). */
  redisCommands: { data: Record<string, number>; cache: Record<string, number> };
}

/** Calls per command executed so far by a Redis server (INFO commandstats), INFO itself left out. */
async function commandCalls(client: Redis): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    if (m[1] !== 'info') calls[m[1]] = Number(m[2]);
  return calls;
}

/** Adds `after - before` per command into `into`. */
function addDelta(
  into: Record<string, number>,
  before: Record<string, number>,
  after: Record<string, number>,
) {
  for (const [cmd, n] of Object.entries(after)) {
    const d = n - (before[cmd] ?? 0);
    if (d > 0) into[cmd] = (into[cmd] ?? 0) + d;
  }
}

const sum = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** One autocannon run of `seconds` against `url`; latencies (fractional ms, from each response) appended. */
function cannon(url: string, seconds: number, into: Measured): Promise<void> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration: seconds, pipelining: 1 },
      (err, result) => {
        if (err) return reject(err);
        into.errors += result.errors;
        into.timeouts += result.timeouts;
        into.seconds += result.duration;
        resolve();
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      into.responses++;
      if (statusCode < 200 || statusCode >= 300) into.non2xx++;
      else into.latenciesMs.push(responseTime);
    });
  });
}

/** Fails loudly unless `target` answers 200 with `expected` (or a product of SKU) and the right X-Cache. */
async function verify(target: Target, expected?: unknown): Promise<unknown> {
  let res: Response | undefined;
  let body: unknown;
  for (let i = 0; i < 3; i++) {
    res = await fetch(`${target.url}${PATH}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${target.name}: ${PATH} answered ${res.status}: ${text}`);
    body = JSON.parse(text);
  }
  const xCache = res?.headers.get('x-cache') ?? undefined;
  if (target.xCache === 'HIT' && xCache !== 'HIT')
    throw new Error(`${target.name}: expected X-Cache: HIT on a warm request, got ${xCache ?? '(absent)'}`);
  if (target.xCache === 'none' && xCache !== undefined && xCache !== 'BYPASS')
    throw new Error(`${target.name}: expected no X-Cache (or BYPASS), got ${xCache}`);
  if ((body as { sku?: unknown })?.sku !== SKU)
    throw new Error(`${target.name}: not a ${SKU} product body: ${JSON.stringify(body)}`);
  if (expected !== undefined && !isDeepStrictEqual(body, expected))
    throw new Error(`${target.name}: body ${JSON.stringify(body)} differs from ${JSON.stringify(expected)}`);
  if (!res?.headers.get('ratelimit'))
    throw new Error(`${target.name}: no RateLimit header (limiter not on the path)`);
  return body;
}

async function main(): Promise<void> {
  // Everything started, stopped in reverse order whatever happens.
  const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [];
  const started = <T>(name: string, value: T, run: (v: T) => Promise<unknown>): T => {
    cleanups.push({ name, run: () => run(value) });
    return value;
  };
  const rows: Row[] = [];
  let product: unknown;
  const loadBefore = loadavg()[0].toFixed(2);
  try {
    const redis = started('data redis', await startTestRedis(), (r) => r.dispose());
    const cacheRedis = started('cache redis', await startTestRedis(), (r) => r.dispose());
    const database = async (name: string) =>
      started(name, await createTestDatabase('sqlite'), (d) => d.dispose());
    const ordersDb = await database('orders db');
    const common = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      REDIS_CACHE_URL: cacheRedis.url,
      REDIS_COMMAND_TIMEOUT_MS: '300',
    };
    const stop = (p: ServiceProcess) => p.stop();
    started(
      'orders-0',
      await startBuiltService({
        service: 'orders',
        index: 0,
        redisUrl: redis.url,
        databaseUrl: ordersDb.url,
        env: common,
      }),
      stop,
    );
    const gateway = async (index: number, env: Record<string, string>) =>
      started(
        `gateway-${index}`,
        await startBuiltService({
          service: 'gateway',
          index,
          redisUrl: redis.url,
          databaseUrl: (await database(`gateway-${index} db`)).url,
          env: {
            ...common,
            SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789',
            ADMIN_USERNAME: ADMIN.username,
            ADMIN_PASSWORD: ADMIN.password,
            PASSWORD_SCRYPT_LOG_N: '12',
            RATE_LIMIT_API: '100000000/60s',
            RATE_LIMIT_WRITES: '100000000/60s',
            RATE_LIMIT_LOGIN_IP: '100000/15m',
            RATE_LIMIT_LOGIN_USER: '100000/15m',
            ...env,
          },
        }),
        stop,
      );
    const cached = await gateway(0, { HTTP_CACHE: 'on' });
    const uncached = await gateway(1, { HTTP_CACHE: 'off' });

    const targets: Target[] = [
      { name: 'gateway, HTTP cache on (X-Cache: HIT)', url: cached.url, xCache: 'HIT' },
      { name: 'gateway, HTTP_CACHE=off (orders over Redis Streams)', url: uncached.url, xCache: 'none' },
    ];
    product = await verify(targets[0]);
    await verify(targets[1], product);

    const peer = async (mode: string) => {
      const port = await freePort();
      return started(
        `peer ${mode}`,
        await startServiceProcess({
          name: `peer-${mode}`,
          entry: join(workspaceRoot(), 'apps/gateway/bench/peer-app.ts'),
          port,
          readyTimeoutMs: 60_000,
          env: {
            PORT: String(port),
            PEER_MODE: mode,
            PEER_PRODUCT: JSON.stringify(product),
            REDIS_URL: redis.url,
            REDIS_CACHE_URL: cacheRedis.url,
          },
        }),
        stop,
      );
    };
    const cacheManager = await peer('cache-manager');
    const bare = await peer('bare');
    targets.push(
      {
        name: '@nestjs/cache-manager CacheInterceptor (Keyv + @keyv/redis), X-Cache: HIT',
        url: cacheManager.url,
        xCache: 'HIT',
      },
      { name: 'bare Nest controller, constant JSON (ceiling)', url: bare.url, xCache: 'none' },
    );
    await verify(targets[2], product);
    await verify(targets[3], product);

    const fresh = (): Measured => ({
      latenciesMs: [],
      responses: 0,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      seconds: 0,
      dataCalls: {},
      cacheCalls: {},
    });
    const measured = targets.map(fresh);
    for (const t of targets) {
      process.stdout.write(`warm-up ${WARMUP_S}s: ${t.name}\n`);
      await cannon(`${t.url}${PATH}`, WARMUP_S, fresh());
    }
    const dataStats = started('data redis stats client', new Redis(redis.url), (c) => c.quit());
    const cacheStats = started('cache redis stats client', new Redis(cacheRedis.url), (c) => c.quit());
    for (let r = 0; r < ROUNDS; r++)
      for (const [i, t] of targets.entries()) {
        process.stdout.write(`round ${r + 1}/${ROUNDS} ${ROUND_S}s: ${t.name}\n`);
        const [data0, cache0] = await Promise.all([commandCalls(dataStats), commandCalls(cacheStats)]);
        await cannon(`${t.url}${PATH}`, ROUND_S, measured[i]);
        const [data1, cache1] = await Promise.all([commandCalls(dataStats), commandCalls(cacheStats)]);
        addDelta(measured[i].dataCalls, data0, data1);
        addDelta(measured[i].cacheCalls, cache0, cache1);
      }
    // Still on the same path at the end (no cache entry expired or got invalidated meanwhile).
    for (const t of targets) await verify(t, product);

    for (const [i, t] of targets.entries()) {
      const m = measured[i];
      const sorted = m.latenciesMs.sort((a, b) => a - b);
      rows.push({
        server: t.name,
        reqPerSec: Math.round(m.responses / m.seconds),
        p50Ms: Number(pct(sorted, 50).toFixed(2)),
        p99Ms: Number(pct(sorted, 99).toFixed(2)),
        responses: m.responses,
        non2xx: m.non2xx,
        errors: m.errors,
        timeouts: m.timeouts,
        dataCmdsPerReq: Number((sum(m.dataCalls) / m.responses).toFixed(2)),
        cacheCmdsPerReq: Number((sum(m.cacheCalls) / m.responses).toFixed(2)),
        redisCommands: { data: m.dataCalls, cache: m.cacheCalls },
      });
    }
  } finally {
    for (const c of cleanups.reverse())
      await c.run().catch((err: unknown) => process.stderr.write(`cleanup ${c.name}: ${String(err)}\n`));
  }

  const [hit, off, cacheManager, bare] = rows;
  const ratio = (a: Row, b: Row) => a.reqPerSec / b.reqPerSec;
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const hitVsBare = ratio(hit, bare);
  const hitVsCm = ratio(hit, cacheManager);
  const lines = [
    `gateway bench: GET ${PATH}, autocannon in the bench process, ${CONNECTIONS} connections, every server its own process; ` +
      `${WARMUP_S} s warm-up per row, then ${ROUNDS} alternating rounds of ${ROUND_S} s (${ROUNDS * ROUND_S} s per row); ` +
      `req/s over all rounds, p50/p99 over every 2xx response; Redis cmds/req: INFO commandstats deltas over the rounds ` +
      `(every client, background polling and the commands run inside Lua scripts included: the limiter's one EVALSHA is 4, EVALSHA + TIME + GET + SET) per response. Rate limit on in every row (one Redis decision per request, limit 100000000/60s). ` +
      `Node ${process.versions.node}, ${cpus().length} cores, load average before/after ${loadBefore} / ${loadavg()[0].toFixed(2)}, ` +
      `${new Date().toISOString().slice(0, 10)}.`,
    '',
    '| server | req/s | p50 ms | p99 ms | responses | non-2xx | errors | timeouts | Redis cmds/req (data / cache) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.server} | ${r.reqPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.responses} | ${r.non2xx} | ${r.errors} | ${r.timeouts} | ${r.dataCmdsPerReq} / ${r.cacheCmdsPerReq} |`,
    ),
    '',
    '| comparison | value | target | |',
    '| --- | --- | --- | --- |',
    `| HIT vs bare controller (req/s) | ${hitVsBare.toFixed(2)}x | >= 0.9x | ${verdict(hitVsBare >= 0.9)} |`,
    `| HIT vs cache-manager CacheInterceptor (req/s) | ${hitVsCm.toFixed(2)}x | >= 1.2x | ${verdict(hitVsCm >= 1.2)} |`,
    `| HTTP_CACHE=off p99 | ${off.p99Ms} ms | < 20 ms | ${verdict(off.p99Ms < 20)} |`,
  ];
  writeBenchReport('gateway', lines.join('\n'), { product, rows });
}

runBench(main);
