import { LuaScript, type RedisClient } from '@shop/redis';

// Check the marker, append, then write the marker, in one script: a row is appended to the stream at
// most once even when a relay died after publishing but before marking the row, or two relays raced for
// an expired lease. The marker is written LAST because Redis does not roll back a script's earlier
// writes when a later command errors: a marker set before an XADD that fails (WRONGTYPE) would make
// every later attempt report "already published" for a row that never was.
//
// No MAXLEN/MINID here: a blind cap trims entries whatever the consumer groups have read, so an
// acknowledged event could be dropped before a lagging group got it. The events stream's retention is
// the transport's trim by consumer-group positions.
const PUBLISH_ONCE = new LuaScript<string | null>(
  'outbox-publish-once',
  `if redis.call('EXISTS', KEYS[1]) == 1 then return false end
   local id = redis.call('XADD', KEYS[2], '*', ARGV[2], ARGV[3])
   redis.call('SET', KEYS[1], id, 'EX', ARGV[1])
   return id`,
);

/**
 * Appends one encoded envelope unless its marker says it already was; resolves to the new entry id, or
 * null for a row published before. Both keys must share a Cluster slot (hash-tagged by service).
 */
export function publishOnce(
  client: RedisClient,
  markerKey: string,
  stream: string,
  markerTtlSeconds: number,
  fields: [string, string],
): Promise<string | null> {
  return PUBLISH_ONCE.run(client, [markerKey, stream], [markerTtlSeconds, ...fields]);
}
