import type { RedisClient } from '@shop/redis';
import { Cluster } from 'ioredis';

/**
 * Deletes every key matching `pattern` with `SCAN` + `UNLINK` in batches — never `KEYS`, which blocks
 * Redis for the whole keyspace. On a Cluster each master is scanned, since SCAN only sees one node.
 */
export async function scanDelete(client: RedisClient, pattern: string, batch = 1000): Promise<number> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', batch);
      cursor = next;
      if (keys.length > 0) deleted += await node.unlink(...keys);
    } while (cursor !== '0');
  }
  return deleted;
}
