import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RedisConnections, StreamGroupReader, type RedisClient } from '../src';

const STREAM = 'test:jobs';
const GROUP = 'workers';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full collection, in bytes. */
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('StreamGroupReader memory', () => {
  let redis: TestRedis;
  let connections: RedisConnections;
  let db: RedisClient;

  beforeAll(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({
      url: redis.url,
      keyPrefix: 'test',
      connectionName: 'spec',
      maxReconnectDelayMs: 200,
    });
    db = connections.shared('data', 'background');
  });

  afterAll(async () => {
    await connections.close();
    await redis.dispose();
  });

  it('waiting for a free slot retains nothing: 20,000 entries through one slot while a slow one holds the other leave no heap behind', async () => {
    await db.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    let handled = 0;
    let slowId: string | undefined;
    let releaseSlow!: () => void;
    const slow = new Promise<void>((resolve) => (releaseSlow = resolve));
    const reader: StreamGroupReader = new StreamGroupReader({
      reader: connections.dedicated('data', 'background', 'reader-memory'),
      writer: db,
      stream: STREAM,
      group: GROUP,
      consumer: 'me',
      slots: 2,
      blockMs: 100,
      claimIdleMs: 60_000,
      reclaimIntervalMs: 60_000,
      retryDelayMs: 60_000,
      handle: (entries) => {
        for (const [id] of entries) {
          slowId ??= id;
          const gate = id === slowId ? slow : Promise.resolve();
          reader.track(
            id,
            gate
              .then(() => db.xack(STREAM, GROUP, id))
              .then(
                () => void handled++,
                () => undefined,
              ),
          );
        }
      },
      logger: { warn: () => undefined },
      logContext: { stream: STREAM },
    });
    const add = async (n: number) => {
      const pipeline = db.pipeline();
      for (let i = 0; i < n; i++) pipeline.xadd(STREAM, '*', 'n', String(i));
      await pipeline.exec();
    };
    await reader.start();
    try {
      // Warm up (JIT, connection buffers), then measure: every read here finds the slots full once.
      await add(2000);
      await waitFor('warm-up handled', () => handled === 1999, { timeoutMs: 60_000 });
      const before = heapAfterGc();
      await add(20_000);
      await waitFor('all handled', () => handled === 21_999, { timeoutMs: 120_000 });
      const growth = heapAfterGc() - before;
      // A reaction left on the halt and on the slow run per wait kept ~600 bytes per entry (~12 MB).
      expect(growth).toBeLessThan(4_000_000);
    } finally {
      releaseSlow();
      await reader.stop(500);
    }
  });
});
