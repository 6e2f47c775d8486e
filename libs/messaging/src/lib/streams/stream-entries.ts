import type { RedisClient } from '@shop/redis';

// The entry shape and reply parsing are the stream reader's (`@shop/redis`); re-exported for this lib.
export { entriesOf, type StreamEntry } from '@shop/redis';

/** How much of a stream to keep: by length (`MAXLEN ~`) or by age (`MINID ~`, from entry ids' time). */
export interface StreamRetention {
  /** Keep about this many entries. */
  maxLength?: number;
  /** Keep about this much history (ms); wins over `maxLength` when both are set. */
  maxAgeMs?: number;
}

/** The trimming arguments of an `XADD` for a retention (approximate trimming: cheap for Redis). */
export function trimArgs(retention: StreamRetention | number): Array<string | number> {
  const r = typeof retention === 'number' ? { maxLength: retention } : retention;
  // Entry ids carry the Redis server's ms time; the host clock is close enough for a retention window.
  if (r.maxAgeMs !== undefined) return ['MINID', '~', `${Math.max(0, Date.now() - r.maxAgeMs)}-0`];
  return ['MAXLEN', '~', r.maxLength ?? 100_000];
}

/** `XADD stream <MAXLEN|MINID> ~ n * field value ...` */
export function xaddCapped(
  client: RedisClient,
  stream: string,
  retention: StreamRetention | number,
  fields: string[],
): Promise<string | null> {
  return client.call('XADD', stream, ...trimArgs(retention), '*', ...fields) as Promise<string | null>;
}

/**
 * `XADD stream * field value ...` without trimming: command and event streams are trimmed by the
 * consumer groups' positions instead (`trimByGroups`), never by a cap on the write.
 */
export function xadd(client: RedisClient, stream: string, fields: string[]): Promise<string | null> {
  return client.call('XADD', stream, '*', ...fields) as Promise<string | null>;
}
