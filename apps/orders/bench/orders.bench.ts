// npm run bench:orders — the orders service's caching patterns measured against their baselines, one run:
// get-by-id over the transport cached vs ORDERS_CACHE=off, product get cache-aside vs raw SQL (in
// process), and status/tracking updates write-behind vs ORDERS_STATUS_WRITES=through. Each pair runs in
// alternating rounds so machine drift hits both alike; the table shows the median round's ops/s and
// p50/p99 over all rounds, also written to reports/bench-orders.md.
import 'reflect-metadata';
import { Cache } from '@shop/cache';
import { ORDERS_COMMANDS as C, type CallerDto, type Order, type Product } from '@shop/contracts';
import { createDatabase } from '@shop/database';
import { RedisStreamsClient } from '@shop/messaging';
import { RedisConnections } from '@shop/redis';
import {
  createTestDatabase,
  runBench,
  startBuiltService,
  startTestRedis,
  writeBenchReport,
  type ServiceProcess,
  type TestDatabase,
} from '@shop/testing';
import { Registry } from 'prom-client';
import { firstValueFrom } from 'rxjs';

const ROUND_MS = Number(process.env['BENCH_ROUND_MS'] ?? 2000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 4);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const ORDERS = 200;
const admin: CallerDto = { userId: 'bench-admin', role: 'admin' };
const customer: CallerDto = { userId: 'bench-customer', role: 'customer' };

interface Measured {
  ops: number[];
  latencies: number[];
}
interface Row {
  case: string;
  variant: string;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `concurrency` loops calling `op` for `ms`; ops/s of the round, latencies appended. */
async function round(
  op: (i: number) => Promise<unknown>,
  ms: number,
  concurrency: number,
  into: Measured,
): Promise<void> {
  const end = performance.now() + ms;
  let done = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op(i++);
        into.latencies.push((performance.now() - t) * 1000);
        done++;
      }
    }),
  );
  into.ops.push((done * 1000) / ms);
}

/** Alternates the variants round by round; resolves one row per variant. */
async function compare(
  name: string,
  variants: Record<string, (i: number) => Promise<unknown>>,
  concurrency = CONCURRENCY,
): Promise<Row[]> {
  const measured = Object.fromEntries(
    Object.keys(variants).map((k) => [k, { ops: [], latencies: [] } as Measured]),
  );
  for (const [, op] of Object.entries(variants))
    await round(op, 300, concurrency, { ops: [], latencies: [] }); // warm-up
  for (let r = 0; r < ROUNDS; r++)
    for (const [k, op] of Object.entries(variants)) await round(op, ROUND_MS, concurrency, measured[k]);
  return Object.entries(measured).map(([variant, m]) => {
    const sorted = m.latencies.sort((a, b) => a - b);
    return {
      case: name,
      variant,
      opsPerSec: Math.round(median(m.ops)),
      p50Us: Math.round(pct(sorted, 50)),
      p99Us: Math.round(pct(sorted, 99)),
    };
  });
}

/** One orders stack of its own (key prefix, database), so two variants never share a consumer group. */
async function stack(
  dialect: Dialect,
  redisUrl: string,
  cacheUrl: string,
  prefix: string,
  env: Record<string, string>,
) {
  const database: TestDatabase = await createTestDatabase(dialect);
  const proc: ServiceProcess = await startBuiltService({
    service: 'orders',
    index: 0,
    redisUrl,
    databaseUrl: database.url,
    env: {
      REDIS_CACHE_URL: cacheUrl,
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      INSTANCE_ID: `${prefix}-0`,
      ...env,
    },
  });
  const connections = new RedisConnections({
    url: redisUrl,
    keyPrefix: prefix,
    connectionName: `${prefix}-bench`,
    commandTimeoutMs: 2000,
  });
  const client = new RedisStreamsClient({
    connections,
    service: 'bench',
    instanceId: `${prefix}-caller`,
    target: 'orders',
    timeoutMs: 10_000,
  });
  await client.connect();
  const call = <T>(pattern: string, body: object) => firstValueFrom(client.send<T>(pattern, body));
  const ids: string[] = [];
  for (let i = 0; i < ORDERS; i += 20)
    ids.push(
      ...(
        await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            call<Order>(C.create, {
              caller: customer,
              idempotencyKey: `bench-${prefix}-${i + j}`,
              items: [{ sku: 'MUG-RED', quantity: 1 }],
            }),
          ),
        )
      ).map((o) => o.id),
    );
  for (const id of ids) await call(C.changeStatus, { caller: admin, id, status: 'paid' });
  return {
    database,
    call,
    ids,
    async close() {
      await proc.stop();
      await client.close();
      await connections.close();
      await database.dispose();
    },
  };
}

type Dialect = 'sqlite' | 'postgres';
const DIALECT_NAMES: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/**
 * Every dialect this machine has, in one run: SQLite (embedded, the local default) always, PostgreSQL
 * (what several instances share in a deployment) when TEST_DATABASE_URL names one. The ratios differ
 * with the database: an uncached read of an in-process SQLite costs little more than the transport.
 */
async function main(): Promise<void> {
  const dialects: Dialect[] = process.env['TEST_DATABASE_URL'] ? ['sqlite', 'postgres'] : ['sqlite'];
  const only = process.env['BENCH_DIALECTS']?.split(',') as Dialect[] | undefined;
  const sections: string[] = [];
  const all: Array<Row & { dialect: string }> = [];
  for (const dialect of only ?? dialects) {
    const rows = await runDialect(dialect);
    all.push(...rows.map((r) => ({ ...r, dialect })));
    sections.push(table(dialect, rows));
  }
  writeBenchReport('orders', sections.join('\n\n'), all);
}

async function runDialect(dialect: Dialect): Promise<Row[]> {
  const redis = await startTestRedis();
  const cacheRedis = await startTestRedis();
  const cached = await stack(dialect, redis.url, cacheRedis.url, 'bcached', {});
  const baseline = await stack(dialect, redis.url, cacheRedis.url, 'bbase', {
    ORDERS_CACHE: 'off',
    ORDERS_STATUS_WRITES: 'through',
  });
  const rows: Row[] = [];
  try {
    const pick = (ids: string[], i: number) => ids[(i * 7919) % ids.length];
    rows.push(
      ...(await compare('get order by id (transport)', {
        'read-through cache': (i) => cached.call(C.get, { caller: admin, id: pick(cached.ids, i) }),
        'caching disabled': (i) => baseline.call(C.get, { caller: admin, id: pick(baseline.ids, i) }),
      })),
    );

    // The transport's own cost, for scale: a command that does nothing against the cached get.
    rows.push(
      ...(await compare('transport floor', {
        'orders.ping (no work)': () => cached.call(C.ping, {}),
        'get order by id, cached': (i) => cached.call(C.get, { caller: admin, id: pick(cached.ids, i) }),
      })),
    );

    // Cache-aside in process: the service's own Cache against a raw SQL read of the same row.
    const connections = new RedisConnections({
      url: redis.url,
      cacheUrl: cacheRedis.url,
      keyPrefix: 'bcatalog',
      connectionName: 'bench-catalog',
    });
    const cache = new Cache({ connections, name: 'orders', registry: new Registry() });
    await cache.connect();
    const { db } = createDatabase<{
      product: {
        sku: string;
        name: string;
        price_cents: number;
        active: number;
        updated_at: string;
        version: number;
      };
    }>({ url: cached.database.url });
    const skus = [
      'MUG-RED',
      'MUG-BLUE',
      'TEE-S',
      'TEE-M',
      'TEE-L',
      'CAP-01',
      'BAG-TOTE',
      'PEN-4C',
      'BOOK-REDIS',
      'STICKER-10',
    ];
    const sqlGet = (sku: string) =>
      db.selectFrom('product').selectAll().where('sku', '=', sku).executeTakeFirstOrThrow();
    rows.push(
      ...(await compare(
        'product get (in process)',
        {
          'cache-aside (getOrSet)': (i) =>
            cache.getOrSet<unknown>(`product:${skus[i % skus.length]}`, () => sqlGet(skus[i % skus.length]), {
              namespace: 'catalog',
            }),
          'raw SQL': (i) => sqlGet(skus[i % skus.length]),
        },
        1,
      )),
    );
    await cache.close();
    await connections.close();
    await db.destroy();

    let n = 0;
    rows.push(
      ...(await compare('tracking updates (transport)', {
        'write-behind': (i) =>
          cached.call<Product>(C.setTracking, { caller: admin, id: pick(cached.ids, i), note: `n${n++}` }),
        'write-through': (i) =>
          baseline.call<Product>(C.setTracking, {
            caller: admin,
            id: pick(baseline.ids, i),
            note: `n${n++}`,
          }),
      })),
    );
  } finally {
    await cached.close();
    await baseline.close();
    await redis.dispose();
    await cacheRedis.dispose();
  }

  return rows;
}

function table(dialect: Dialect, rows: Row[]): string {
  const lines = [
    `orders bench (${DIALECT_NAMES[dialect]}, one orders process per variant, ${CONCURRENCY} calls in flight over the transport, 1 in process; ${ROUNDS} alternating rounds of ${ROUND_MS} ms, median round)`,
    '',
    '| case | variant | ops/s | p50 µs | p99 µs | ratio |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (let i = 0; i < rows.length; i += 2) {
    const [a, b] = [rows[i], rows[i + 1]];
    lines.push(
      `| ${a.case} | ${a.variant} | ${a.opsPerSec} | ${a.p50Us} | ${a.p99Us} | ${(a.opsPerSec / b.opsPerSec).toFixed(2)}x |`,
    );
    lines.push(`| ${b.case} | ${b.variant} | ${b.opsPerSec} | ${b.p50Us} | ${b.p99Us} | 1.00x |`);
  }
  return lines.join('\n');
}

runBench(main);
