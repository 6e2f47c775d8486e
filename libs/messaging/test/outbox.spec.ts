import { createDatabase, migrateToLatest } from '@shop/database';
import { RedisConnections } from '@shop/redis';
import {
  createTestDatabase,
  describeEachDialect,
  startTestRedis,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';
import type { Kysely } from 'kysely';
import {
  decodeEnvelope,
  insertOutboxEvent,
  OutboxRelay,
  outboxMigration,
  processedMessagesMigration,
  runOnce,
  streamNames,
} from '../src';

interface Db {
  orders: { id: string; total: number };
  tally: { id: string; n: number };
}

describeEachDialect('transactional outbox and runOnce', (dialect) => {
  let redis: TestRedis;
  let target: TestDatabase;
  let db: Kysely<Db>;
  let connections: RedisConnections;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  beforeEach(async () => {
    target = await createTestDatabase(dialect);
    db = createDatabase<Db>({ url: target.url }).db;
    await migrateToLatest(db as Kysely<unknown>, {
      '0001-orders': {
        up: async (d: Kysely<unknown>) => {
          await d.schema
            .createTable('orders')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('total', 'integer')
            .execute();
          await d.schema
            .createTable('tally')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('n', 'integer')
            .execute();
        },
      },
      '0002-outbox': outboxMigration(),
      '0003-processed': processedMessagesMigration(),
    });
    connections = new RedisConnections({ url: redis.url, keyPrefix: `ob${Date.now()}` });
  });

  afterEach(async () => {
    await connections.close();
    await db.destroy();
    await target.dispose();
  });

  const relay = (instanceId: string) =>
    new OutboxRelay({
      db: db as Kysely<unknown>,
      dialect,
      connections,
      service: 'orders',
      instanceId,
      batchSize: 25,
    });
  const stream = () => streamNames.events(connections.keys, 'orders');

  it('writes the event only when the change commits', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('orders').values({ id: 'o1', total: 10 }).execute();
      await insertOutboxEvent(trx, 'orders.created', { orderId: 'o1' });
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await insertOutboxEvent(trx, 'orders.created', { orderId: 'o2' });
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    expect(await relay('r1').drain()).toBe(1);
    const entries = (await connections.shared('data', 'background').xrange(stream(), '-', '+')) as Array<
      [string, string[]]
    >;
    expect(entries.map(([, f]) => decodeEnvelope(f).data)).toEqual([{ orderId: 'o1' }]);
  });

  it('two relays publish 300 rows, each exactly once and in commit order, and mark them all', async () => {
    for (let i = 0; i < 300; i += 50) {
      await db.transaction().execute(async (trx) => {
        for (let j = i; j < i + 50; j++) await insertOutboxEvent(trx, 'orders.created', { n: j });
      });
    }
    const [a, b] = await Promise.all([relay('r1').drain(), relay('r2').drain()]);
    expect(a + b).toBe(300);
    const entries = (await connections.shared('data', 'background').xrange(stream(), '-', '+')) as Array<
      [string, string[]]
    >;
    const ids = entries.map(([, f]) => decodeEnvelope(f).id);
    expect(new Set(ids).size).toBe(300);
    expect(ids).toHaveLength(300);
    // In commit order, though both relays ran at once (side by side they interleaved their batches).
    const ns = entries.map(([, f]) => (decodeEnvelope(f).data as { n: number }).n);
    expect(ns).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const unpublished = await (db as unknown as Kysely<{ outbox: { published_at: string | null } }>)
      .selectFrom('outbox')
      .select('published_at')
      .where('published_at', 'is', null)
      .execute();
    expect(unpublished).toEqual([]);
  });

  it('a relay that died after XADD but before marking: the row is retaken and still appears once', async () => {
    await insertOutboxEvent(db, 'orders.paid', { orderId: 'o9' });
    await relay('r1').drain();
    // Simulate the lost "mark published" of a crashed relay whose lease expired.
    await (db as unknown as Kysely<{ outbox: { published_at: string | null; claimed_until: number | null } }>)
      .updateTable('outbox')
      .set({ published_at: null, claimed_until: 0 })
      .execute();
    expect(await relay('r2').drain()).toBe(1);
    expect(await connections.shared('data', 'background').xlen(stream())).toBe(1);
  });

  it('runOnce applies an effect once per message id and retries a failed one', async () => {
    const bump = (trx: Kysely<Db>) => trx.insertInto('tally').values({ id: 'm1', n: 1 }).execute();
    expect(await runOnce(db, 'msg-1', bump)).toMatchObject({ applied: true });
    expect(await runOnce(db, 'msg-1', bump)).toEqual({ applied: false });
    await expect(runOnce(db, 'msg-2', async () => Promise.reject(new Error('db hiccup')))).rejects.toThrow(
      'db hiccup',
    );
    expect(
      await runOnce(db, 'msg-2', async (trx) => trx.insertInto('tally').values({ id: 'm2', n: 2 }).execute()),
    ).toMatchObject({ applied: true });
    expect(await db.selectFrom('tally').select('id').orderBy('id').execute()).toEqual([
      { id: 'm1' },
      { id: 'm2' },
    ]);
  });

  it('a relay restarted under the same instanceId does not publish past the claim its killed predecessor left', async () => {
    const created = await insertOutboxEvent(db, 'orders.created', { n: 0 });
    await insertOutboxEvent(db, 'orders.status_changed', { n: 1 });
    // orders-0 claimed the first row and was killed; its container restarts with INSTANCE_ID=orders-0.
    await (db as unknown as Kysely<{ outbox: { id: string; claimed_by: string; claimed_until: number } }>)
      .updateTable('outbox')
      .set({ claimed_by: 'orders-0', claimed_until: Date.now() + 1500 })
      .where('id', '=', created)
      .execute();
    expect(await relay('orders-0').drain()).toBe(0); // waits for the lease, as any other relay would
    await new Promise((r) => setTimeout(r, 1600));
    expect(await relay('orders-0').drain()).toBe(2);
    const entries = (await connections.shared('data', 'background').xrange(stream(), '-', '+')) as Array<
      [string, string[]]
    >;
    expect(entries.map(([, f]) => (decodeEnvelope(f).data as { n: number }).n)).toEqual([0, 1]);
  });
});
