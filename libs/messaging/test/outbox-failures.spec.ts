import { createDatabase, migrateToLatest } from '@shop/database';
import { ensureGroup, RedisConnections } from '@shop/redis';
import {
  createTestDatabase,
  describeEachDialect,
  startTestRedis,
  waitFor,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';
import type { Kysely } from 'kysely';
import {
  decodeEnvelope,
  insertOutboxEvent,
  OutboxRelay,
  outboxMigration,
  streamNames,
  type OutboxDb,
  type OutboxRelayOptions,
} from '../src';

// Failure isolation, publish-once atomicity, retention and a bounded stop of the outbox relay.
describeEachDialect('outbox relay failures', (dialect) => {
  let redis: TestRedis;
  let target: TestDatabase;
  let db: Kysely<OutboxDb>;
  let connections: RedisConnections;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  beforeEach(async () => {
    target = await createTestDatabase(dialect);
    db = createDatabase<OutboxDb>({ url: target.url }).db;
    await migrateToLatest(db as Kysely<unknown>, { '0001-outbox': outboxMigration() });
    connections = new RedisConnections({ url: redis.url, keyPrefix: `obf${Date.now()}` });
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await connections.close();
    await db.destroy();
    await target.dispose();
  });

  const relay = (overrides: Partial<OutboxRelayOptions> = {}) => {
    const r = new OutboxRelay({
      db: db as Kysely<unknown>,
      dialect,
      connections,
      service: 'orders',
      instanceId: 'r1',
      batchSize: 25,
      retryDelayMs: 1,
      ...overrides,
    });
    relays.push(r);
    return r;
  };
  const redisClient = () => connections.shared('data', 'background');
  const stream = () => streamNames.events(connections.keys, 'orders');
  const published = async () =>
    ((await redisClient().xrange(stream(), '-', '+')) as Array<[string, string[]]>).map(
      ([, f]) => decodeEnvelope(f).data,
    );
  const row = (id: string) =>
    db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const insertRaw = (id: string, payload: string) =>
    db
      .insertInto('outbox')
      .values({
        id,
        pattern: 'orders.created',
        payload,
        created_at: new Date().toISOString(),
        published_at: null,
        claimed_by: null,
        claimed_until: null,
        attempts: 0,
        last_error: null,
        failed_at: null,
      })
      .execute();

  it('a row with a bad payload is parked and does not block the rows after it', async () => {
    await insertOutboxEvent(db, 'orders.created', { n: 1 });
    await insertRaw('bad-row', '{not json');
    await insertOutboxEvent(db, 'orders.created', { n: 2 });
    await insertOutboxEvent(db, 'orders.created', { n: 3 });

    expect(await relay().drain()).toBe(3);

    expect(await published()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const bad = await row('bad-row');
    expect(bad.published_at).toBeNull();
    expect(bad.failed_at).not.toBeNull();
    expect(bad.last_error).toMatch(/JSON/);
    // Parked rows are not claimed again.
    expect(await relay().drain()).toBe(0);
  });

  it('an XADD that fails (WRONGTYPE) leaves no marker: once the key is fixed, every row is published', async () => {
    for (let n = 1; n <= 3; n++) await insertOutboxEvent(db, 'orders.created', { n });
    await redisClient().set(stream(), 'not a stream');

    const r = relay();
    await r.round(); // every row fails; the round itself does not throw
    const rows = await db.selectFrom('outbox').selectAll().execute();
    expect(rows.map((x) => [x.published_at, Number(x.attempts)])).toEqual([
      [null, 1],
      [null, 1],
      [null, 1],
    ]);
    expect(rows[0].last_error).toMatch(/WRONGTYPE/);

    await redisClient().del(stream());
    // Each row waits its own retry delay from its own failure: they may come back over several drains.
    let retaken = 0;
    await waitFor('rows retaken after their retry delay', async () => (retaken += await r.drain()) >= 3);
    expect(retaken).toBe(3);
    expect(await published()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await r.drain()).toBe(0);
  });

  it('a row that keeps failing is parked after maxAttempts and the relay goes on', async () => {
    await insertOutboxEvent(db, 'orders.created', { n: 1 });
    await redisClient().set(stream(), 'not a stream');
    const r = relay({ maxAttempts: 2 });
    await waitFor('row parked', async () => {
      await r.round();
      return (await db.selectFrom('outbox').select('failed_at').executeTakeFirstOrThrow()).failed_at;
    });
    await redisClient().del(stream());
    await insertOutboxEvent(db, 'orders.created', { n: 2 });
    expect(await r.drain()).toBe(1);
    expect(await published()).toEqual([{ n: 2 }]);
    // An operator requeues the parked row once the cause is fixed.
    expect(await r.requeueParked()).toBe(1);
    expect(await r.drain()).toBe(1);
    expect(await published()).toEqual([{ n: 2 }, { n: 1 }]);
  });

  it('under OOM the round stops without counting attempts, and the rows go out once memory is back', async () => {
    for (let n = 1; n <= 3; n++) await insertOutboxEvent(db, 'orders.created', { n });
    await redisClient().ping();
    await redis.cli('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await redis.cli('CONFIG', 'SET', 'maxmemory', '1'); // below what Redis already uses: every write is OOM
    const r = relay({ maxAttempts: 1 });
    try {
      await expect(r.round()).rejects.toThrow(/OOM/);
      const rows = await db.selectFrom('outbox').selectAll().execute();
      expect(rows.map((x) => [Number(x.attempts), x.failed_at, x.claimed_by])).toEqual([
        [0, null, null],
        [0, null, null],
        [0, null, null],
      ]);
    } finally {
      await redis.cli('CONFIG', 'SET', 'maxmemory', '0');
    }
    expect(await r.drain()).toBe(3);
    expect(await published()).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('deletes published rows past their retention, keeping unpublished and parked ones', async () => {
    await insertOutboxEvent(db, 'orders.created', { n: 1 });
    await insertOutboxEvent(db, 'orders.created', { n: 2 });
    await insertRaw('parked-row', '{not json');
    const r = relay();
    expect(await r.drain()).toBe(2);
    await insertOutboxEvent(db, 'orders.created', { n: 3 }); // not yet published
    const [first] = await db
      .selectFrom('outbox')
      .select('id')
      .where('published_at', 'is not', null)
      .execute();
    await db
      .updateTable('outbox')
      .set({ published_at: new Date(Date.now() - 2 * 86_400_000).toISOString() })
      .where('id', '=', first.id)
      .execute();
    expect(await r.prunePublished()).toBe(1);
    const left = await db.selectFrom('outbox').select(['payload', 'published_at', 'failed_at']).execute();
    expect(left).toHaveLength(3);
    expect(left.filter((x) => x.published_at === null && x.failed_at === null)).toHaveLength(1);
    expect(left.filter((x) => x.failed_at !== null)).toHaveLength(1);
  });

  it('never trims an event a consumer group has not read', async () => {
    await ensureGroup(redisClient(), stream(), 'notifications');
    for (let i = 0; i < 300; i += 50) {
      await db.transaction().execute(async (trx) => {
        for (let j = i; j < i + 50; j++) await insertOutboxEvent(trx, 'orders.created', { n: j });
      });
    }
    // A small cap, as a caller of the earlier API could pass: it must not drop undelivered entries.
    const options = { maxStreamLength: 10 } as Partial<OutboxRelayOptions>;
    expect(await relay(options).drain()).toBe(300);
    expect(await redisClient().xlen(stream())).toBe(300);
  });

  it('stop() honours its drain deadline while Redis is down', async () => {
    for (let n = 1; n <= 3; n++) await insertOutboxEvent(db, 'orders.created', { n });
    await redisClient().ping();
    await redis.stop();
    try {
      const r = relay({ drainTimeoutMs: 300 });
      r.start();
      await waitFor(
        'a round in flight',
        async () =>
          (await row((await db.selectFrom('outbox').select('id').executeTakeFirstOrThrow()).id)).claimed_by,
      );
      const started = Date.now();
      const stopped = await Promise.race([
        r.stop().then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000)),
      ]);
      expect(stopped).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await redis.start();
    }
  });
});
