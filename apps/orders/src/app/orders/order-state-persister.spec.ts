import { Cache } from '@shop/cache';
import { createDatabase, migrateToLatest } from '@shop/database';
import { RedisConnections } from '@shop/redis';
import {
  createTestDatabase,
  describeEachDialect,
  sleep,
  startTestRedis,
  waitFor,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { OrdersMetrics } from '../common/orders-metrics';
import type { OrdersDb } from '../db/orders-db';
import { ordersMigrations } from '../migrations';
import { listTagsOf, orderKey, orderTag } from './order-cache';
import { OrderCacheNotInvalidatedError, OrderStatePersister } from './order-state-persister';
import type { OrderState } from './order-state';

/** A pending order of alice's at version 1, as the orders repository writes one. */
async function insertPendingOrder(db: Kysely<OrdersDb>, id: string, now: string): Promise<void> {
  await db
    .insertInto('orders')
    .values({
      id,
      customer_id: 'alice',
      status: 'pending',
      total_cents: 500,
      tracking_note: null,
      status_seq: 0,
      paid_at: null,
      cancelled_at: null,
      cancelled_from: null,
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

// The SQL side of write-behind: each write fenced by the queue's sequence, steps emitted once.
describeEachDialect('OrderStatePersister', (dialect) => {
  let database: TestDatabase;
  let db: Kysely<OrdersDb>;
  let persister: OrderStatePersister;
  const id = 'ord_01aaaaaaaaaaaaaaaaaaaaaaaa';
  const at = (n: number) => `2026-12-02T10:00:0${n}.000Z`;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    db = createDatabase<OrdersDb>({ url: database.url }).db;
    await migrateToLatest(db as Kysely<unknown>, ordersMigrations, 'orders_migration');
    const cache = { delete: async () => undefined, invalidateTags: async () => true } as unknown as Cache;
    persister = new OrderStatePersister(db, cache, new OrdersMetrics(new Registry()));
    const now = at(0);
    await insertPendingOrder(db, id, now);
    await db
      .insertInto('order_item')
      .values({ order_id: id, line: 0, sku: 'PEN-4C', name: 'Pen', unit_price_cents: 500, quantity: 1 })
      .execute();
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.dispose();
  });

  const persist = (state: OrderState, seq: number) => persister.persist([{ key: id, value: state, seq }]);
  const row = () => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const events = async () =>
    (await db.selectFrom('outbox').select(['pattern', 'payload']).orderBy('created_at').execute()).map(
      (r) => `${r.pattern}:${JSON.parse(r.payload).status}@v${JSON.parse(r.payload).version}`,
    );

  it('persists a state with its step as an event and the step time as paid_at', async () => {
    await persist({ status: 'paid', note: null, steps: [{ from: 'pending', to: 'paid', at: at(1) }] }, 7);
    expect(await row()).toMatchObject({ status: 'paid', version: 2, paid_at: at(1) });
    expect(Number((await row()).status_seq)).toBe(7);
    expect(await events()).toEqual(['orders.order.status_changed:paid@v2']);
  });

  it('never lands an older state after a newer one (a paused consumer resuming late)', async () => {
    await persist(
      { status: 'cancelled', note: null, steps: [{ from: 'pending', to: 'cancelled', at: at(2) }] },
      5,
    );
    expect(await row()).toMatchObject({ status: 'paid', version: 2, cancelled_at: null });
    expect(await events()).toHaveLength(1);
  });

  it('emits only the steps the row has not seen, once, and a note change once', async () => {
    const shipped: OrderState = {
      status: 'shipped',
      note: 'at depot',
      steps: [
        { from: 'pending', to: 'paid', at: at(1) },
        { from: 'paid', to: 'shipped', at: at(3) },
      ],
    };
    await persist(shipped, 9);
    await persist(shipped, 9); // a retry of the same batch: fenced
    expect(await row()).toMatchObject({ status: 'shipped', tracking_note: 'at depot', version: 4 });
    expect(await events()).toEqual([
      'orders.order.status_changed:paid@v2',
      'orders.order.status_changed:shipped@v3',
      'orders.order.updated:shipped@v4',
    ]);
  });
});

// After the commit the persister drops what every instance cached of the order and its lists. A tag
// bump that times out (writes paused past the command timeout, as a loaded Redis does) resolves false
// instead of throwing: a persist that ignored it was acked, and every instance kept serving the old
// order and list pages for their TTL.
describeEachDialect('OrderStatePersister cache invalidation', (dialect) => {
  let redis: TestRedis;
  let database: TestDatabase;
  let db: Kysely<OrdersDb>;
  const opened: Array<{ cache: Cache; connections: RedisConnections }> = [];
  const id = 'ord_01bbbbbbbbbbbbbbbbbbbbbbbb';
  const page = 'orders:c.alice:any:first:20';

  async function ordersCache(name: string): Promise<Cache> {
    const connections = new RedisConnections({
      url: redis.url,
      keyPrefix: 'osp',
      connectionName: name,
      commandTimeoutMs: 300,
      maxReconnectDelayMs: 200,
    });
    const cache = new Cache({ connections, name: 'orders', registry: new Registry() });
    await cache.connect();
    opened.push({ cache, connections });
    return cache;
  }

  beforeAll(async () => {
    redis = await startTestRedis();
    database = await createTestDatabase(dialect);
    db = createDatabase<OrdersDb>({ url: database.url }).db;
    await migrateToLatest(db as Kysely<unknown>, ordersMigrations, 'orders_migration');
    const now = new Date().toISOString();
    await insertPendingOrder(db, id, now);
  });
  afterAll(async () => {
    for (const { cache, connections } of opened) {
      await cache.close();
      await connections.close();
    }
    await db?.destroy();
    await database?.dispose();
    await redis?.dispose();
  });

  it('fails a persist whose invalidation did not reach Redis, so it is retried, and the retry drops the peer copies', async () => {
    const a = await ordersCache('a');
    const b = await ordersCache('b');
    const persister = new OrderStatePersister(db, a, new OrdersMetrics(new Registry()));
    /** What instance b serves: its cached copy, or (after an invalidation) what its loader reads now. */
    const onB = async () => [
      (await b.getOrSet(orderKey(id), () => 'fresh', { tags: [orderTag(id)], ttl: '5m' })) as string,
      (await b.getOrSet(page, () => 'fresh', { tags: listTagsOf('alice'), ttl: '5m' })) as string,
    ];
    const warm = async () => {
      await b.set(orderKey(id), 'stale', { tags: [orderTag(id)], ttl: '5m' });
      await b.set(page, 'stale', { tags: listTagsOf('alice'), ttl: '5m' });
    };
    await warm();
    const paid: OrderState = {
      status: 'paid',
      note: null,
      steps: [{ from: 'pending', to: 'paid', at: new Date().toISOString() }],
    };
    const batch = [{ key: id, value: paid, seq: 3 }];

    await redis.cli('CLIENT', 'PAUSE', '1000', 'WRITE');
    await expect(persister.persist(batch)).rejects.toBeInstanceOf(OrderCacheNotInvalidatedError);
    // The SQL commit stands; only the batch is not done: it stays pending for a redelivery.
    expect(
      await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    ).toMatchObject({ status: 'paid', version: 2 });
    expect(await onB()).toEqual(['stale', 'stale']);

    await sleep(1000); // the pause ends
    // Whatever the paused commands did once released, b holds old copies again (as its peers would):
    // the redelivery finds the state already in the row and must still invalidate.
    await warm();
    await expect(persister.persist(batch)).resolves.toBeUndefined();
    await waitFor('b to drop its copies', async () => (await onB()).every((v) => v === 'fresh'), {
      timeoutMs: 2000,
    });
  });
});
