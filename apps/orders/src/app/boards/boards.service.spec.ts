import { createDatabase, migrateToLatest } from '@shop/database';
import { Leaderboards } from '@shop/leaderboard';
import { RedisConnections } from '@shop/redis';
import {
  createTestDatabase,
  describeEachDialect,
  startTestRedis,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import type { OrdersDb } from '../db/orders-db';
import { ordersMigrations } from '../migrations';
import { OrdersRepository } from '../orders/orders.repository';
import { BoardsService } from './boards.service';
import { BoardsSql } from './boards-sql';

// The boards' SQL fallback, wired as the service wires it: with the data Redis stopped, top-N answers
// from the orders database, flagged `sql-fallback`, and equals what the Redis board said. (Over the
// transport this cannot be shown: commands travel on that same Redis.)
describeEachDialect('BoardsService fallback', (dialect) => {
  let redis: TestRedis;
  let database: TestDatabase;
  let db: Kysely<OrdersDb>;
  let connections: RedisConnections;
  let boards: BoardsService;

  beforeAll(async () => {
    redis = await startTestRedis();
    database = await createTestDatabase(dialect);
    db = createDatabase<OrdersDb>({ url: database.url }).db;
    await migrateToLatest(db as Kysely<unknown>, ordersMigrations, 'orders_migration');
    connections = new RedisConnections({
      url: redis.url,
      keyPrefix: 'bf',
      connectionName: 'boards',
      commandTimeoutMs: 300,
      maxReconnectDelayMs: 200,
    });
    const leaderboards = new Leaderboards(connections, {
      boards: ['customers-by-spend', 'products-by-quantity'],
      registry: new Registry(),
    });
    boards = new BoardsService(leaderboards, new OrdersRepository(db), new BoardsSql(db));
    expect(await leaderboards.get('customers-by-spend').ready(5000)).toBe(true);
  });
  afterAll(async () => {
    await connections?.close();
    await db?.destroy();
    await redis?.dispose();
    await database?.dispose();
  });

  it('answers top-N from SQL while the data Redis is down, flagged, and equal to the live board', async () => {
    const now = new Date().toISOString();
    const orders = [
      { id: 'ord_01aaaaaaaaaaaaaaaaaaaaaaa1', customer: 'carol', total: 3000, sku: 'MUG-RED', qty: 3 },
      { id: 'ord_01aaaaaaaaaaaaaaaaaaaaaaa2', customer: 'dave', total: 5000, sku: 'TEE-S', qty: 2 },
      { id: 'ord_01aaaaaaaaaaaaaaaaaaaaaaa3', customer: 'carol', total: 4000, sku: 'MUG-RED', qty: 4 },
    ];
    for (const o of orders) {
      await db
        .insertInto('orders')
        .values({
          id: o.id,
          customer_id: o.customer,
          status: 'paid',
          total_cents: o.total,
          tracking_note: null,
          status_seq: 1,
          paid_at: now,
          cancelled_at: null,
          cancelled_from: null,
          version: 2,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db
        .insertInto('order_item')
        .values({
          order_id: o.id,
          line: 0,
          sku: o.sku,
          name: o.sku,
          unit_price_cents: o.total / o.qty,
          quantity: o.qty,
        })
        .execute();
      await boards.apply('paid', {
        eventId: `e-${o.id}`,
        orderId: o.id,
        customerId: o.customer,
        version: 2,
        status: 'paid',
        total: o.total,
        items: [{ sku: o.sku, name: o.sku, unitPrice: o.total / o.qty, quantity: o.qty }],
        at: now,
      });
    }
    const live = await boards.top('customers-by-spend', 'week', 10);
    expect(live.source).toBe('redis');
    expect(live.entries.map((e) => [e.member, e.score])).toEqual([
      ['carol', 7000],
      ['dave', 5000],
    ]);

    await redis.stop();
    const started = Date.now();
    const fallback = await boards.top('customers-by-spend', 'week', 10);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fallback.source).toBe('sql-fallback');
    expect(fallback.entries).toEqual(live.entries);
    const products = await boards.top('products-by-quantity', 'all', 10);
    expect(products).toMatchObject({
      source: 'sql-fallback',
      entries: [
        { member: 'MUG-RED', score: 7, rank: 1 },
        { member: 'TEE-S', score: 2, rank: 2 },
      ],
    });
    await redis.start();
  });
});
