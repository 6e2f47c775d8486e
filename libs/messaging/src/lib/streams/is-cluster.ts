import type { Cluster } from 'ioredis';
import type { RedisClient } from '@shop/redis';

/** True for an ioredis Cluster client (reply channels then use sharded pub/sub). */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}
