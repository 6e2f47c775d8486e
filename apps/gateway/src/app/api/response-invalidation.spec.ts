import { Cache } from '@shop/cache';
import { RedisConnections } from '@shop/redis';
import { sleep, startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { ResponseInvalidation, ResponseInvalidationFailedError } from './response-invalidation';

// Two gateway instances' response caches on one real Redis. A tag bump that times out (writes paused
// past the command timeout, as a loaded Redis does) is the case that went unnoticed: `invalidateTags`
// resolves false instead of throwing, and the event handler acknowledged the event unapplied.
describe('ResponseInvalidation against a real Redis', () => {
  let redis: TestRedis;
  const opened: Array<{ cache: Cache; connections: RedisConnections }> = [];

  async function gatewayCache(id: string): Promise<Cache> {
    const connections = new RedisConnections({
      url: redis.url,
      keyPrefix: 'gw-inv',
      connectionName: id,
      commandTimeoutMs: 300,
      maxReconnectDelayMs: 200,
    });
    const cache = new Cache({ connections, name: 'responses', registry: new Registry() });
    await cache.connect();
    opened.push({ cache, connections });
    return cache;
  }

  /** Holds every write command (INCR included) on the server for `ms`, reads and the bus keep going. */
  const pauseWrites = async (ms: number) => {
    await redis.cli('CLIENT', 'PAUSE', String(ms), 'WRITE');
  };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    for (const { cache, connections } of opened) {
      await cache.close();
      await connections.close();
    }
    await redis?.dispose();
  });

  it('an event whose tag bump timed out rejects, so it stays pending, and its redelivery drops the peer entry', async () => {
    const a = await gatewayCache('a');
    const b = await gatewayCache('b');
    const tags = ['product:BAG-TOTE'];
    await b.getOrSet('/api/products/BAG-TOTE', () => ({ price: 100 }), { tags, ttl: '5m' });
    const onA = new ResponseInvalidation(a);

    await pauseWrites(1000);
    await expect(onA.invalidateOrThrow(tags)).rejects.toBeInstanceOf(ResponseInvalidationFailedError);
    // The peer still serves its copy: nothing told it otherwise. This is why the event must not be acked.
    expect(await b.getOrSet('/api/products/BAG-TOTE', () => ({ price: 200 }), { tags })).toEqual({
      price: 100,
    });

    await sleep(1000); // the pause ends; the redelivery lands
    await expect(onA.invalidateOrThrow(tags)).resolves.toBeUndefined();
    await waitFor(
      'the peer to drop its copy',
      async () =>
        (await b.getOrSet('/api/products/BAG-TOTE', () => ({ price: 200 }), { tags })).price === 200,
      { timeoutMs: 2000 },
    );
  });

  it("a request's failed tag bump is reported, not thrown: the write answers and the event retries it", async () => {
    const a = await gatewayCache('c');
    const onA = new ResponseInvalidation(a);
    await pauseWrites(800);
    await expect(onA.invalidate(['product:SHOE-RUN'])).resolves.toBe(false);
    await sleep(800);
    await expect(onA.invalidate(['product:SHOE-RUN'])).resolves.toBe(true);
  });
});
