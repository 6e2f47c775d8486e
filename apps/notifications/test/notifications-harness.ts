import {
  ORDERS_EVENTS,
  type CallerDto,
  type Notification,
  type OrderEventBase,
  type OrderStatus,
  type Page,
} from '@shop/contracts';
import {
  encode,
  MessagingError,
  newMessageId,
  RedisStreamsClient,
  streamNames,
  xadd,
  type Envelope,
} from '@shop/messaging';
import { RedisConnections, type RedisClient } from '@shop/redis';
import {
  createTestDatabase,
  readMetric,
  startBuiltService,
  startTestRedis,
  Teardown,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';
import { firstValueFrom } from 'rxjs';

export const customer = (userId: string): CallerDto => ({ userId, role: 'customer' });
export const admin: CallerDto = { userId: 'ops', role: 'admin' };

export const ORDERS_EVENT_STREAM = 'shop:evt:{orders}';
export const LIVE_STREAM = 'shop:fan:{notifications}:live';

/** The notifications service as separate processes, with a caller on the real Streams transport. */
export interface NotificationsStack {
  redis: TestRedis;
  database: TestDatabase;
  instances: ServiceProcess[];
  /** The caller's connections (e.g. for a `FanOutReader`). */
  connections: RedisConnections;
  /** A request-profile client of the data Redis, for raw checks. */
  data: RedisClient;
  call<T>(pattern: string, payload: object): Promise<T>;
  /** The `MessagingError` a call fails with (the test fails if it succeeds). */
  fail(pattern: string, payload: object): Promise<MessagingError>;
  /** Appends an order event to the orders event stream exactly as the orders outbox relay does. */
  publish(pattern: string, event: OrderEventBase): Promise<void>;
  /** Appends a copy of an earlier event's envelope (what a redelivery of it looks like to a handler). */
  republish(envelope: Envelope): Promise<void>;
  /** Resolves once the notifications group has handled and acked everything on the orders stream. */
  settled(timeoutMs?: number): Promise<void>;
  /** Every page of a caller's feed, newest first. */
  feed(caller: CallerDto, limit?: number): Promise<Notification[]>;
  start(index: number, env?: Record<string, string>): Promise<ServiceProcess>;
  dispose(): Promise<void>;
}

/** Data Redis, a fresh SQLite database and `count` instances of the built `dist/apps/notifications`. */
export async function startNotificationsStack(
  count: number,
  env: Record<string, string> = {},
): Promise<NotificationsStack> {
  const undo = new Teardown();
  return undo.undoOnFailure(() => startStack(count, env, undo));
}

async function startStack(
  count: number,
  env: Record<string, string>,
  undo: Teardown,
): Promise<NotificationsStack> {
  const redis = undo.add(await startTestRedis(), (r) => r.dispose());
  const database = undo.add(await createTestDatabase('sqlite'), (d) => d.dispose());
  const instances: ServiceProcess[] = [];
  const start = async (index: number, extra: Record<string, string> = {}) => {
    const proc = await startBuiltService({
      service: 'notifications',
      index,
      redisUrl: redis.url,
      databaseUrl: database.url,
      env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env, ...extra },
    });
    instances.push(proc);
    return undo.add(proc, (p) => p.stop());
  };
  for (let i = 0; i < count; i++) await start(i);
  const connections = undo.add(
    new RedisConnections({ url: redis.url, keyPrefix: 'shop', connectionName: 'e2e-caller' }),
    (c) => c.close(),
  );
  const client = undo.add(
    new RedisStreamsClient({
      connections,
      service: 'e2e',
      instanceId: 'caller',
      target: 'notifications',
      timeoutMs: 5000,
    }),
    (c) => c.close(),
  );
  await client.connect();
  const data = connections.shared('data', 'request');
  const events = streamNames.events(connections.keys, 'orders');
  const call = <T>(pattern: string, payload: object) => firstValueFrom(client.send<T>(pattern, payload));
  return {
    redis,
    database,
    instances,
    connections,
    data,
    call,
    async fail(pattern, payload) {
      try {
        await call(pattern, payload);
      } catch (err) {
        if (err instanceof MessagingError) return err;
        throw err;
      }
      throw new Error(`${pattern} succeeded, a failure was expected`);
    },
    async publish(pattern, event) {
      // The relay's envelope: the outbox row id (the payload's eventId) as message id, then XADD.
      const envelope: Envelope = {
        id: event.eventId,
        pattern,
        data: event,
        sender: 'orders:e2e',
        ts: Date.now(),
      };
      await xadd(data, events, encode(envelope));
    },
    async republish(envelope) {
      await xadd(data, events, encode(envelope));
    },
    async settled(timeoutMs = 30_000) {
      await waitFor(
        'the notifications group to handle every order event',
        async () => {
          const group = (await groups(data, events)).find((g) => g['name'] === 'notifications');
          return group && Number(group['lag'] ?? 0) === 0 && Number(group['pending']) === 0;
        },
        { timeoutMs },
      );
    },
    async feed(caller, limit = 100) {
      const all: Notification[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 1000; pages++) {
        const page: Page<Notification> = await call(
          'notifications.list',
          cursor ? { caller, limit, cursor } : { caller, limit },
        );
        all.push(...page.items);
        if (!page.nextCursor) return all;
        cursor = page.nextCursor;
      }
      throw new Error('the feed did not end within 1000 pages');
    },
    start,
    async dispose() {
      await undo.run();
    },
  };
}

/** `XINFO GROUPS` as objects. */
export async function groups(data: RedisClient, stream: string): Promise<Array<Record<string, unknown>>> {
  const info = (await data.xinfo('GROUPS', stream)) as unknown[][];
  return info.map((flat) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
    return out;
  });
}

let orderSeq = 0;

/** A fresh order id in the orders service's shape (`ord_` + 26 base32 characters). */
export function orderId(): string {
  return `ord_${(++orderSeq).toString(32).padStart(10, '0')}${'0'.repeat(16)}`;
}

/** An order event as the orders service builds it. */
export function orderEvent(
  customerId: string,
  id: string,
  status: OrderStatus,
  extra: Record<string, unknown> = {},
): OrderEventBase {
  return {
    eventId: newMessageId(),
    orderId: id,
    customerId,
    version: 1,
    status,
    total: 1299,
    items: [{ sku: 'MUG-RED', name: 'Red mug', unitPrice: 1299, quantity: 1 }],
    at: new Date().toISOString(),
    ...extra,
  };
}

/** The event pattern of each step of an order's life. */
export const patternOf = {
  created: ORDERS_EVENTS.orderCreated,
  updated: ORDERS_EVENTS.orderUpdated,
  statusChanged: ORDERS_EVENTS.orderStatusChanged,
  cancelled: ORDERS_EVENTS.orderCancelled,
  deleted: ORDERS_EVENTS.orderDeleted,
} as const;

/** Instance-level counter value from `/metrics` (summed over label sets containing `labels`). */
export const metric = (proc: ServiceProcess, name: string, labels = ''): Promise<number> =>
  readMetric(proc.url, name, labels);
