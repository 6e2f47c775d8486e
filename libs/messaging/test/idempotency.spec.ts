import Redis from 'ioredis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { IdempotentLuaScript } from '../src';

describe('IdempotentLuaScript', () => {
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

  const addSpend = new IdempotentLuaScript(
    'test-add-spend',
    "redis.call('ZINCRBY', KEYS[2], ARGV[2], ARGV[3])",
  );

  it('applies an effect once per message id', async () => {
    expect(await addSpend.run(client, 'done:m1', 60, ['board:a'], [5, 'alice'])).toBe(true);
    expect(await addSpend.run(client, 'done:m1', 60, ['board:a'], [5, 'alice'])).toBe(false);
    expect(await client.zscore('board:a', 'alice')).toBe('5');
  });

  it('an effect that errors leaves no marker: the redelivery applies it exactly once', async () => {
    await client.set('board:b', 'not a sorted set'); // WRONGTYPE for ZINCRBY
    await expect(addSpend.run(client, 'done:m2', 60, ['board:b'], [7, 'bob'])).rejects.toThrow(/WRONGTYPE/);
    expect(await client.exists('done:m2')).toBe(0);

    await client.del('board:b'); // the operator fixes the key; the event is redelivered
    expect(await addSpend.run(client, 'done:m2', 60, ['board:b'], [7, 'bob'])).toBe(true);
    expect(await addSpend.run(client, 'done:m2', 60, ['board:b'], [7, 'bob'])).toBe(false);
    expect(await client.zscore('board:b', 'bob')).toBe('7');
    expect(await client.ttl('done:m2')).toBeGreaterThan(0);
  });

  it('a body that returns early still records its marker', async () => {
    const early = new IdempotentLuaScript('test-early', "redis.call('INCR', KEYS[2]) return 'x'");
    expect(await early.run(client, 'done:m3', 60, ['counter:c'])).toBe(true);
    expect(await early.run(client, 'done:m3', 60, ['counter:c'])).toBe(false);
    expect(await client.get('counter:c')).toBe('1');
  });
});
