import type { RedisClient } from '@shop/redis';
import { Cluster, type Redis } from 'ioredis';

/**
 * Deletes every key matching `pattern` with `SCAN` + `UNLINK` in batches — never `KEYS`, which blocks
 * Redis for the whole keyspace. Rejects on the first error (the caller reports it; a pattern delete
 * that silently deleted nothing would leave every entry in place while peers drop their L1).
 *
 * On a Cluster, SCAN sees one node only, so each master is scanned; and one multi-key `UNLINK` of a
 * batch spans slots and fails with CROSSSLOT, so each key is unlinked singly, pipelined on the master
 * whose SCAN found it (one round trip per batch). A key whose slot moved meanwhile answers MOVED, which
 * is an error like any other.
 */
export async function scanDelete(client: RedisClient, pattern: string, batch = 1000): Promise<number> {
  if (!(client instanceof Cluster)) return scanNode(client, pattern, batch, false);
  const masters = client.nodes('master');
  if (masters.length === 0) throw new Error('no Cluster master known (not connected)');
  const counts = await Promise.all(masters.map((node) => scanNode(node, pattern, batch, true)));
  return counts.reduce((sum, n) => sum + n, 0);
}

async function scanNode(node: Redis, pattern: string, batch: number, singly: boolean): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', batch);
    cursor = next;
    if (keys.length === 0) continue;
    if (!singly) {
      deleted += await node.unlink(...keys);
      continue;
    }
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [err, count] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      deleted += Number(count);
    }
  } while (cursor !== '0');
  return deleted;
}
