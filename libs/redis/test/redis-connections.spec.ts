import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { LuaScript, RedisConnections } from '../src';

describe('RedisConnections against a real Redis', () => {
  let redis: TestRedis;
  let connections: RedisConnections;

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  beforeEach(() => {
    connections = new RedisConnections({
      url: redis.url,
      keyPrefix: 'test',
      connectionName: 'spec',
      commandTimeoutMs: 300,
      maxReconnectDelayMs: 200,
    });
  });

  afterEach(async () => {
    await connections.close();
    await redis.start();
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('shares one request client per role when both roles use the same URL', async () => {
    const data = connections.shared('data');
    expect(connections.shared('cache')).toBe(data);
    await waitFor('ready', () => data.status === 'ready');
    await data.set('test:k', 'v', 'EX', 10);
    expect(await data.get('test:k')).toBe('v');
    expect(connections.health.state).toBe('up');
  });

  it('request-path client fails within its timeout while Redis is stopped; both profiles recover', async () => {
    const request = connections.shared('data', 'request');
    const background = connections.shared('data', 'background');
    await waitFor('both ready', () => request.status === 'ready' && background.status === 'ready');

    await redis.stop();
    await waitFor('health down', () => connections.health.state === 'down');

    const started = Date.now();
    await expect(request.get('test:x')).rejects.toThrow();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(300 + 100);

    // The background profile queues the command and completes it after the restart.
    const queued = background.set('test:queued', '1', 'EX', 60);
    await redis.start();
    await expect(queued).resolves.toBe('OK');
    await waitFor('request client reconnects', () => request.status === 'ready', { timeoutMs: 5000 });
    expect(await request.get('test:queued')).toBe('1');
    expect(connections.health.state).toBe('up');
  });

  it('request-path commands time out on a Redis that hangs instead of closing', async () => {
    const request = connections.shared('data', 'request');
    await waitFor('ready', () => request.status === 'ready');
    // DEBUG SLEEP blocks the server like a stalled host; the client must give up at commandTimeoutMs.
    const sleeping = redis.cli('DEBUG', 'SLEEP', '1').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await expect(request.get('test:y')).rejects.toThrow(/timed out/i);
    expect(Date.now() - started).toBeLessThan(300 + 150);
    await sleeping;
  });

  it('reports degraded, not down, when only a separate cache Redis is gone', async () => {
    const cacheRedis = await startTestRedis();
    const split = new RedisConnections({
      url: redis.url,
      cacheUrl: cacheRedis.url,
      maxReconnectDelayMs: 100,
    });
    try {
      const data = split.shared('data');
      const cache = split.shared('cache');
      expect(cache).not.toBe(data);
      await waitFor('up', () => split.health.state === 'up');
      await cacheRedis.stop();
      await waitFor('degraded', () => split.health.state === 'degraded');
      await cacheRedis.start();
      await waitFor('up again', () => split.health.state === 'up', { timeoutMs: 5000 });
    } finally {
      await split.close();
      await cacheRedis.dispose();
    }
  });

  it('runs a Lua script again after a Redis restart forgot it (NOSCRIPT)', async () => {
    const script = new LuaScript<number>('incr-by', "return redis.call('INCRBY', KEYS[1], ARGV[1])");
    const client = connections.shared('data', 'background');
    expect(await script.run(client, ['test:counter'], [2])).toBe(2);
    await redis.restart();
    await waitFor('reconnected', () => client.status === 'ready', { timeoutMs: 5000 });
    expect(await redis.cli('SCRIPT', 'EXISTS', script.sha)).toContain(':0');
    expect(await script.run(client, ['test:counter'], [3])).toBe(3);
    expect(await script.run(client, ['test:counter'], [3])).toBe(6);
  });

  it('closes every connection it opened', async () => {
    const a = connections.shared('data');
    const b = connections.dedicated('data', 'background', 'subscriber');
    await waitFor('ready', () => a.status === 'ready' && b.status === 'ready');
    await connections.close();
    expect(a.status).toBe('end');
    expect(b.status).toBe('end');
  });
});
