import { RedisConnections } from '@shop/redis';
import { startTestRedis, type TestRedis } from '@shop/testing';
import { Registry } from 'prom-client';
import { Cache, type CacheOptions } from '../src';

/** A cache "instance" with its own connections, as a separate process would have. */
export async function makeCache(url: string, id: string, options: Partial<CacheOptions> = {}) {
  const connections = new RedisConnections({
    url,
    keyPrefix: 'ct',
    connectionName: id,
    commandTimeoutMs: 300,
    maxReconnectDelayMs: 200,
  });
  const cache = new Cache({ connections, name: 'test', registry: new Registry(), ...options });
  await cache.connect(); // subscribes the bus and waits for the L2 client's first connection
  return {
    id,
    cache,
    connections,
    async close() {
      await cache.close();
      await connections.close();
    },
  };
}

export type TestCache = Awaited<ReturnType<typeof makeCache>>;

/** Bus messages a cache's registry counted in one direction (`cache_bus_messages_total`). */
export async function busMessages(
  registry: Registry | undefined,
  direction: 'in' | 'out' | 'rejected',
): Promise<number> {
  const metric = await registry?.getSingleMetric('cache_bus_messages_total')?.get();
  return metric?.values.find((v) => v.labels['direction'] === direction)?.value ?? 0;
}

/**
 * A real Redis and two cache instances `a` and `b` for a describe block: started in `beforeAll`, closed
 * in `afterAll`. Read the fields inside tests (they are set once the hooks ran).
 */
export function useTwoCaches(options: Partial<CacheOptions> = {}): {
  redis: TestRedis;
  a: TestCache;
  b: TestCache;
} {
  const ctx = {} as { redis: TestRedis; a: TestCache; b: TestCache };
  beforeAll(async () => {
    ctx.redis = await startTestRedis();
    ctx.a = await makeCache(ctx.redis.url, 'a', options);
    ctx.b = await makeCache(ctx.redis.url, 'b', options);
  });
  afterAll(async () => {
    await ctx.a?.close();
    await ctx.b?.close();
    await ctx.redis?.dispose();
  });
  return ctx;
}
