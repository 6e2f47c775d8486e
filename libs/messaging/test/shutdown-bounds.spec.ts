import { RedisConnections, whenReady } from '@shop/redis';
import { sleep, startTestRedis, waitFor, type TestRedis } from '@shop/testing';

import { encode, FanOutReader, streamNames } from '../src';
import { startInProcessServer, within } from './in-process';

const DRAIN_MS = 500;
// QUIT of the remaining connections and timer slack; far below the old 5-6 s.
const MARGIN_MS = 700;

describe('shutdown is bounded by the drain deadline, with Redis hung or gone', () => {
  let redis: TestRedis;
  let resume: (() => void) | undefined;

  beforeEach(async () => {
    redis = await startTestRedis();
  });

  afterEach(async () => {
    resume?.();
    resume = undefined;
    await redis.dispose();
  });

  const timed = async (stop: () => Promise<void>) => {
    const started = Date.now();
    const outcome = await within(stop(), 10_000);
    return { outcome, elapsed: Date.now() - started };
  };

  it('every slot busy and Redis paused (SIGSTOP): close() returns within drainTimeoutMs + margin', async () => {
    let started = 0;
    const never = new Promise<void>(() => undefined);
    const app = await startInProcessServer(redis.url, {
      concurrency: 2,
      drainTimeoutMs: DRAIN_MS,
      redis: { shutdownTimeoutMs: 200 },
      events: {
        'producer.tick': async () => {
          started++;
          await never;
        },
      },
    });
    const stream = streamNames.events(app.connections.keys, 'producer');
    const writer = app.connections.shared();
    // The request client has no offline queue: a write before it connected fails instead of waiting.
    await whenReady(writer, 5000);
    for (let n = 0; n < 3; n++)
      await writer.xadd(
        stream,
        '*',
        ...encode({ id: `e${n}`, pattern: 'producer.tick', data: { n }, sender: 't', ts: 0 }),
      );
    await waitFor('both slots busy', () => started === 2);
    resume = await redis.pause();
    const { outcome, elapsed } = await timed(() => app.server.close());
    expect(outcome).not.toBe('timed out');
    expect(elapsed).toBeLessThan(DRAIN_MS + MARGIN_MS);
    resume();
    await app.connections.close();
  });

  it('Redis down while the loop is parked in XREADGROUP: close() returns within drainTimeoutMs + margin', async () => {
    const app = await startInProcessServer(redis.url, {
      drainTimeoutMs: DRAIN_MS,
      blockMs: 5000,
      redis: { shutdownTimeoutMs: 200 },
      events: { 'producer.tick': async () => undefined },
    });
    await redis.stop();
    const { outcome, elapsed } = await timed(() => app.server.close());
    expect(outcome).not.toBe('timed out');
    expect(elapsed).toBeLessThan(DRAIN_MS + MARGIN_MS);
    await app.connections.close();
  });

  it('Redis gone and no handler running: close() returns at once, not at the drain deadline', async () => {
    const app = await startInProcessServer(redis.url, {
      drainTimeoutMs: 4000,
      blockMs: 5000,
      redis: { shutdownTimeoutMs: 200 },
      events: { 'producer.tick': async () => undefined },
    });
    await redis.stop();
    await sleep(300); // the readers' XREADGROUPs now wait for a reconnect
    const { outcome, elapsed } = await timed(() => app.server.close());
    expect(outcome).not.toBe('timed out');
    // Before: 4 s (the loop's queued read was awaited until the deadline).
    expect(elapsed).toBeLessThan(1000);
    await app.connections.close();
  });

  it('fan-out reader: stop() with Redis paused returns within its deadline', async () => {
    const connections = new RedisConnections({ url: redis.url, keyPrefix: 'fx', shutdownTimeoutMs: 200 });
    const reader = new FanOutReader({
      connections,
      stream: 'fx:fan',
      onEntry: () => undefined,
      blockMs: 5000,
    });
    await reader.start();
    resume = await redis.pause();
    const { outcome, elapsed } = await timed(() => reader.stop(DRAIN_MS));
    expect(outcome).not.toBe('timed out');
    expect(elapsed).toBeLessThan(DRAIN_MS + MARGIN_MS);
    resume();
    await connections.close();
  });
});
