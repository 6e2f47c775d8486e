import { RedisConnections } from '@shop/redis';
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
