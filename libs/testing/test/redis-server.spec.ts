import { startTestRedis, type TestRedis } from '../src';

describe('startTestRedis', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis({ appendOnly: true });
  });

  afterAll(async () => {
    await redis.dispose();
  });

  it('runs on the backend asked for: a container with TEST_REDIS_BACKEND=container and an engine, else the binary', () => {
    const expected =
      process.env['TEST_REDIS_BACKEND'] === 'container' && process.env['DOCKER_HOST']
        ? 'container'
        : 'binary';
    expect(redis.backend).toBe(expected);
  });

  it('keeps append-only data across kill -9 and start', async () => {
    expect(await redis.cli('SET', 'k', 'v')).toBe('OK');
    await redis.kill();
    await expect(redis.cli('PING')).rejects.toThrow();
    await redis.start();
    expect(await redis.cli('GET', 'k')).toBe('v');
  });

  it('loses data on stop and start without append-only', async () => {
    const volatile = await startTestRedis();
    try {
      await volatile.cli('SET', 'k', 'v');
      await volatile.stop();
      await volatile.start();
      expect(await volatile.cli('GET', 'k')).toBe('');
    } finally {
      await volatile.dispose();
    }
  });
});
