import type { RedisClient } from '@shop/redis';

/** Backlog of one consumer group, from `XINFO GROUPS` and the dead-letter stream length. */
export interface GroupStats {
  stream: string;
  group: string;
  /** Entries not yet delivered to the group (Redis 7 `lag`; null when Redis cannot tell). */
  lag: number | null;
  /** Delivered but not acked. */
  pending: number;
  consumers: number;
  deadLetters: number;
}

/** Reads the stats of one group; fields come as a flat `[name, value, ...]` list in RESP2. */
export async function groupStats(
  client: RedisClient,
  stream: string,
  group: string,
  deadLetterStream: string,
): Promise<GroupStats> {
  const [groups, deadLetters] = await Promise.all([
    client.xinfo('GROUPS', stream) as Promise<Array<Array<string | number | null>>>,
    client.xlen(deadLetterStream),
  ]);
  const row = groups.map(toObject).find((g) => g['name'] === group) ?? {};
  return {
    stream,
    group,
    lag: row['lag'] === null || row['lag'] === undefined ? null : Number(row['lag']),
    pending: Number(row['pending'] ?? 0),
    consumers: Number(row['consumers'] ?? 0),
    deadLetters,
  };
}

function toObject(flat: Array<string | number | null>): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
