import { createRedisClient, type RedisClient } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { encode, streamNames } from '../src';
import { startInProcessServer } from './in-process';

describe('commands: a reply that cannot be stored never re-runs the command', () => {
  let redis: TestRedis;
  let observer: RedisClient;

  beforeAll(async () => {
    redis = await startTestRedis({ args: ['--maxmemory-policy', 'noeviction'] });
    observer = createRedisClient({
      url: redis.url,
      profile: 'background',
      connectionName: 'observer',
      commandTimeoutMs: 1000,
      connectTimeoutMs: 1000,
      maxReconnectDelayMs: 500,
    });
    await observer.connect();
  });

  afterAll(async () => {
    observer.disconnect();
    await redis.dispose();
  });

  it('under a real maxmemory (OOM on the fallback XADD) the handler runs once and the command is acked', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = await startInProcessServer(redis.url, {
      commands: {
        'math.once': async () => {
          runs++;
          await gate;
          return 'done';
        },
      },
    });
    const stream = streamNames.commands(app.connections.keys, 'fixture');
    try {
      // A caller whose subscriber is gone: PUBLISH reaches nobody, so the reply must go to its stream.
      const replyTo = streamNames.replies(app.connections.keys, 'caller', 'gone');
      const envelope = {
        id: 'cmd-1',
        pattern: 'math.once',
        data: {},
        sender: 'caller:gone',
        ts: Date.now(),
        replyTo,
        deadline: Date.now() + 60_000,
      };
      await observer.xadd(stream, '*', ...encode(envelope));
      await waitFor('handler started', () => runs === 1);
      // Redis is now out of memory for every write that allocates (XADD), as under real memory pressure.
      await redis.cli('CONFIG', 'SET', 'maxmemory', '1');
      release();
      await waitFor(
        'command acked',
        async () => ((await observer.xpending(stream, 'fixture')) as [number])[0] === 0,
        { timeoutMs: 5000 },
      );
      expect(runs).toBe(1);
      expect(await observer.exists(replyTo)).toBe(0); // the reply was lost: the caller times out
    } finally {
      await redis.cli('CONFIG', 'SET', 'maxmemory', '0');
      release();
      await app.close();
    }
  });
});
