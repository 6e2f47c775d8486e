import { RedisConnections } from '@shop/redis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { trimArgs, xaddCapped } from '../src';

describe('stream retention (approximate trimming on XADD)', () => {
  let redis: TestRedis;
  let connections: RedisConnections;

  beforeAll(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({ url: redis.url });
  });

  afterAll(async () => {
    await connections.close();
    await redis.dispose();
  });

  it('builds MAXLEN or MINID arguments', () => {
    expect(trimArgs(500)).toEqual(['MAXLEN', '~', 500]);
    const [kind, approx, minId] = trimArgs({ maxLength: 5, maxAgeMs: 60_000 });
    expect([kind, approx]).toEqual(['MINID', '~']);
    expect(Number(String(minId).split('-')[0])).toBeGreaterThan(Date.now() - 61_000);
  });

  it('keeps about maxLength entries', async () => {
    const client = connections.shared('data', 'background');
    for (let i = 0; i < 1000; i++) await xaddCapped(client, 'ret:len', { maxLength: 100 }, ['n', String(i)]);
    const length = await client.xlen('ret:len');
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
  });

  it('drops entries older than maxAgeMs', async () => {
    const client = connections.shared('data', 'background');
    for (let i = 1; i <= 1000; i++) await client.xadd('ret:age', `${i}-0`, 'n', String(i)); // ids from 1970
    await xaddCapped(client, 'ret:age', { maxAgeMs: 3_600_000 }, ['n', 'now']);
    expect(await client.xlen('ret:age')).toBeLessThan(200);
  });
});
