import { LuaScript, type RedisClient } from '@shop/redis';
import type { StreamRetention } from './stream-entries';

/**
 * Removes the oldest entries below `ARGV[1]` (exclusive; `+` = no bound), at most `ARGV[2]` of them:
 * the entries over a `MAXLEN` cap that no group still needs. Returns how many were removed. It runs in
 * Redis so that counting the entries below the floor moves no payload over the network.
 */
const TRIM_OLDEST_BELOW = new LuaScript<number>(
  'messaging-trim-oldest-below',
  `
local upper = ARGV[1] == '+' and '+' or ('(' .. ARGV[1])
local entries = redis.call('XRANGE', KEYS[1], '-', upper, 'COUNT', tonumber(ARGV[2]))
local n = #entries
if n == 0 then return 0 end
local nextEntry = redis.call('XRANGE', KEYS[1], '(' .. entries[n][1], '+', 'COUNT', 1)
if #nextEntry == 0 then return redis.call('XTRIM', KEYS[1], 'MAXLEN', '=', 0) end
return redis.call('XTRIM', KEYS[1], 'MINID', '=', nextEntry[1][1])
`,
);

/**
 * Entries one script call removes at most (keeps each call short: Redis runs nothing else meanwhile);
 * a pass repeats it up to `MAX_BATCHES_PER_PASS` times, so it keeps up with ~20k entries/s at the
 * default 5 s interval, and a long outage's backlog is trimmed over several passes.
 */
const TRIM_BATCH = 1000;
const MAX_BATCHES_PER_PASS = 100;

/** Compares two stream ids (`<ms>-<seq>`) numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/**
 * The lowest id some consumer group of `stream` still needs: per group its oldest pending entry (read,
 * not acked) or, with nothing pending, its last delivered id (everything after it is undelivered).
 * `undefined` when the stream has no group (nothing to protect).
 */
export async function groupsFloor(client: RedisClient, stream: string): Promise<string | undefined> {
  const groups = (await client.xinfo('GROUPS', stream)) as Array<Array<string | number | null>>;
  let floor: string | undefined;
  for (const flat of groups) {
    const row: Record<string, string | number | null> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) row[String(flat[i])] = flat[i + 1];
    let groupFloor = String(row['last-delivered-id'] ?? '0-0');
    if (Number(row['pending'] ?? 0) > 0) {
      const [, oldestPending] = (await client.xpending(stream, String(row['name']))) as [
        number,
        string | null,
      ];
      if (oldestPending) groupFloor = oldestPending;
    }
    if (floor === undefined || compareStreamIds(groupFloor, floor) < 0) floor = groupFloor;
  }
  return floor;
}

/**
 * Trims `stream` to its retention **without dropping anything a consumer group has not acked**: only
 * entries that are both beyond the retention (over `maxLength`, or older than `maxAgeMs`) and below
 * every group's floor (see `groupsFloor`) are removed. A stream without groups is trimmed by its
 * retention alone. Groups only move forward, so a floor read a moment ago is still safe when `XTRIM`
 * runs. Returns the number of entries removed.
 *
 * This is the one trim policy of the transport: consumers and producers call it periodically instead
 * of trimming on every `XADD` (`MAXLEN ~` there drops entries a stopped group never saw).
 *
 * @example
 * await trimByGroups(redis, 'app:evt:{orders}', { maxLength: 100_000 });
 */
export async function trimByGroups(
  client: RedisClient,
  stream: string,
  retention: StreamRetention,
): Promise<number> {
  let floor: string | undefined;
  try {
    floor = await groupsFloor(client, stream);
  } catch (err) {
    if ((err as Error).message.includes('no such key')) return 0; // nothing written yet
    throw err;
  }
  if (retention.maxAgeMs !== undefined) {
    // Entry ids carry the Redis server's ms time; the host clock is close enough for a retention window.
    const ageFloor = `${Math.max(0, Date.now() - retention.maxAgeMs)}-0`;
    const minId = floor !== undefined && compareStreamIds(floor, ageFloor) < 0 ? floor : ageFloor;
    return (await client.xtrim(stream, 'MINID', '=', minId)) as number;
  }
  const maxLength = retention.maxLength ?? 100_000;
  let excess = (await client.xlen(stream)) - maxLength;
  let removed = 0;
  for (let batch = 0; excess > 0 && batch < MAX_BATCHES_PER_PASS; batch++) {
    const count = Math.min(excess, TRIM_BATCH);
    const n = await TRIM_OLDEST_BELOW.run(client, [stream], [floor ?? '+', count]);
    removed += n;
    excess -= n;
    if (n < count) break; // reached the groups' floor
  }
  return removed;
}

/**
 * Runs `trimByGroups` for a stream at most once per `intervalMs` and one at a time, triggered by the
 * writes themselves (a producer's streams are trimmed even when no consumer of it runs). Never throws:
 * a failed trim is reported to `onError` and tried again after the next interval.
 */
export class TrimThrottle {
  private readonly next = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (stream: string, err: Error) => void,
  ) {}

  maybeTrim(client: RedisClient, stream: string, retention: StreamRetention): void {
    const now = Date.now();
    if ((this.next.get(stream) ?? 0) > now) return;
    // Pushed far ahead while running, so a hung trim is never started twice.
    this.next.set(stream, Number.MAX_SAFE_INTEGER);
    trimByGroups(client, stream, retention)
      .catch((err: Error) => this.onError(stream, err))
      .finally(() => this.next.set(stream, Date.now() + this.intervalMs));
  }
}
