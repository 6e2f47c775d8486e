import { encode, newMessageId, streamNames } from '@shop/messaging';
import { KeyBuilder } from '@shop/redis';
import {
  createTestDatabase,
  describeEachDialect,
  freePort,
  startServiceProcess,
  startTestRedis,
  waitFor,
  type TestRedis,
} from '@shop/testing';
import Redis from 'ioredis';
import { join } from 'node:path';

const FIXTURE = join(__dirname, 'fixtures', 'slow-migration-service.ts');

describeEachDialect('bootstrapService', (dialect) => {
  let redis: TestRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });

  afterAll(async () => {
    client.disconnect();
    await redis.dispose();
  });

  it('consumes nothing before the app is initialised: a pending command waits for the migrations', async () => {
    const stream = streamNames.commands(new KeyBuilder('shop'), 'boot');
    const command = () =>
      encode({
        id: newMessageId(),
        pattern: 'boot.check',
        data: {},
        sender: 'test:t',
        ts: Date.now(),
        deadline: Date.now() + 120_000,
      });
    await client.flushall();
    // One command left pending by this instance before a restart, one queued while it was down.
    await client.xgroup('CREATE', stream, 'boot', '0', 'MKSTREAM');
    await client.xadd(stream, '*', ...command());
    await client.xreadgroup('GROUP', 'boot', 'boot-0', 'COUNT', 1, 'STREAMS', stream, '>');
    await client.xadd(stream, '*', ...command());

    const database = await createTestDatabase(dialect); // a fresh database: the migration must run first
    const port = await freePort();
    const service = await startServiceProcess({
      name: 'boot-0',
      entry: FIXTURE,
      port,
      readyTimeoutMs: 60_000,
      env: {
        PORT: String(port),
        REDIS_URL: redis.url,
        DATABASE_URL: database.url,
        INSTANCE_ID: 'boot-0',
        SLOW_MIGRATION_MS: '1500',
      },
    });
    try {
      const outcomes = await waitFor(
        'both commands handled',
        async () => {
          const list = await client.lrange('boot-fixture:outcomes', 0, -1);
          return list.length >= 2 ? list : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(outcomes).toEqual(['table-ready', 'table-ready']);
    } finally {
      const exit = await service.stop(10_000);
      await database.dispose();
      expect(exit.code).toBe(0);
    }
  });
});
