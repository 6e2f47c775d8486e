import type { CallerDto } from '@shop/contracts';
import { createDatabase } from '@shop/database';
import { decodeEnvelope, MessagingError, RedisStreamsClient, type Envelope } from '@shop/messaging';
import { RedisConnections, type RedisClient } from '@shop/redis';
import {
  createTestDatabase,
  readMetric,
  startBuiltService,
  startTestRedis,
  Teardown,
  type Dialect,
  type ServiceProcess,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';
import type { Kysely } from 'kysely';
import type { OrdersDb } from '../src/app/db/orders-db';
import { firstValueFrom } from 'rxjs';

export const alice: CallerDto = { userId: 'alice', role: 'customer' };
export const bob: CallerDto = { userId: 'bob', role: 'customer' };
export const admin: CallerDto = { userId: 'ops', role: 'admin' };

/** The orders service as separate processes, with a caller speaking the real Streams transport. */
export interface OrdersStack {
  redis: TestRedis;
  cacheRedis: TestRedis;
  database: TestDatabase;
  instances: ServiceProcess[];
  /** The service's database, for raw checks of its tables. */
  db: Kysely<OrdersDb>;
  call<T>(pattern: string, payload: object): Promise<T>;
  /** A request-profile client of the data Redis, for raw checks. */
  data: RedisClient;
  /** The events on the orders event stream, in order. */
  events(): Promise<Envelope[]>;
  /** The `MessagingError` a call fails with (the test fails if it succeeds). */
  fail(pattern: string, payload: object): Promise<MessagingError>;
  start(index: number, env?: Record<string, string>): Promise<ServiceProcess>;
  dispose(): Promise<void>;
}

/**
 * Data Redis, a separate cache Redis (so a test can stop it alone), a fresh database of `dialect` and
 * `count` instances of the built service (`dist/apps/orders`), started one after the other.
 */
export async function startOrdersStack(
  dialect: Dialect,
  count = 2,
  env: Record<string, string> = {},
): Promise<OrdersStack> {
  const undo = new Teardown();
  return undo.undoOnFailure(() => startStack(dialect, count, env, undo));
}

async function startStack(
  dialect: Dialect,
  count: number,
  env: Record<string, string>,
  undo: Teardown,
): Promise<OrdersStack> {
  const redis = undo.add(await startTestRedis(), (r) => r.dispose());
  const cacheRedis = undo.add(await startTestRedis(), (r) => r.dispose());
  const database = undo.add(await createTestDatabase(dialect), (d) => d.dispose());
  // One step for every instance, the ones a test starts later included: stopped together.
  const instances = undo.add([] as ServiceProcess[], (ps) => Promise.all(ps.map((p) => p.stop())));
  const start = async (index: number, extra: Record<string, string> = {}) => {
    const proc = await startBuiltService({
      service: 'orders',
      index,
      redisUrl: redis.url,
      databaseUrl: database.url,
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        REDIS_CACHE_URL: cacheRedis.url,
        REDIS_COMMAND_TIMEOUT_MS: '300',
        ...env,
        ...extra,
      },
    });
    instances.push(proc);
    return proc;
  };
  for (let i = 0; i < count; i++) await start(i);
  const connections = undo.add(
    new RedisConnections({ url: redis.url, keyPrefix: 'shop', connectionName: 'e2e-caller' }),
    (c) => c.close(),
  );
  const client = new RedisStreamsClient({
    connections,
    service: 'e2e',
    instanceId: 'caller',
    target: 'orders',
    timeoutMs: 5000,
  });
  undo.add(client, (c) => c.close());
  await client.connect();
  const { db } = undo.add(createDatabase<OrdersDb>({ url: database.url }), ({ db }) => db.destroy());
  const call = <T>(pattern: string, payload: object) => firstValueFrom(client.send<T>(pattern, payload));
  return {
    redis,
    cacheRedis,
    database,
    instances,
    db,
    call,
    data: connections.shared('data', 'request'),
    async events() {
      const entries = await connections.shared('data', 'request').xrange('shop:evt:{orders}', '-', '+');
      return entries.map(([, fields]) => decodeEnvelope(fields));
    },
    async fail(pattern, payload) {
      try {
        await call(pattern, payload);
      } catch (err) {
        if (err instanceof MessagingError) return err;
        throw err;
      }
      throw new Error(`${pattern} succeeded, a failure was expected`);
    },
    start,
    dispose: () => undo.run(),
  };
}

/** Instance-level counter value from `/metrics` (0 when absent). */
export const metric = (proc: ServiceProcess, name: string, labels = ''): Promise<number> =>
  readMetric(proc.url, name, labels);
