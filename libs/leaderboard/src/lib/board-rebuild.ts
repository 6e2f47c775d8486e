import type { RedisClient } from '@shop/redis';
import { randomUUID } from 'node:crypto';
import type { BoardWriter } from './board-writer';
import { LeaderboardError } from './errors';
import { normalizeEvent, type LeaderboardEvent } from './event-validation';
import type { LeaderboardKeys } from './leaderboard-keys';
import type { ResolvedLeaderboardOptions } from './leaderboard-options';
import { redisCall } from './redis-call';
import { abortRebuildScript, beginRebuildScript, commitRebuildScript } from './scripts/rebuild.scripts';

/** What a rebuild did. */
export interface RebuildResult {
  /** Events read from the source. */
  events: number;
  /** Events written into the new board. */
  applied: number;
  /** Events skipped: repeated in the source, or already applied live while the rebuild ran. */
  duplicates: number;
}

export interface RebuildOptions {
  /** Scripts in flight at once (the result does not depend on the order, so they may overlap). @default 16 */
  concurrency?: number;
}

// The index reads and the script that uses them are two calls; a live event that opens a new period in
// between makes the script refuse, and it is simply run again.
const ATTEMPTS = 10;

/**
 * Recomputes a board from `source` into temporary keys and swaps them in with RENAMEs in one script.
 * Live `apply` calls keep working meanwhile and are written into both boards, so nothing they add is
 * lost by the swap. Every replayed event gets its dedupe marker, so a later redelivery is a duplicate.
 */
export async function rebuildBoard(
  client: RedisClient,
  keys: LeaderboardKeys,
  writer: BoardWriter,
  options: ResolvedLeaderboardOptions,
  source: AsyncIterable<LeaderboardEvent> | Iterable<LeaderboardEvent>,
  rebuildOptions: RebuildOptions = {},
): Promise<RebuildResult> {
  const concurrency = rebuildOptions.concurrency ?? 16;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new LeaderboardError('E_LEADERBOARD_INVALID_INPUT', `invalid rebuild concurrency ${concurrency}`);
  const call = <T>(fn: () => Promise<T>) => redisCall(options.name, options.timeoutMs, fn);
  const rebuildId = randomUUID();
  await retry(async () => {
    const leftovers = await call(() => client.zrange(keys.index(true), 0, '-1'));
    const all = keys.period('all', true);
    const tmpKeys = leftovers.flatMap((suffix) => {
      const k = keys.period(suffix, true);
      return [k.zset, k.ties];
    });
    const args = [rebuildId, options.rebuildTtlMs, leftovers.length];
    const lease = [keys.rebuildLease(), keys.index(true)];
    const fixed = [all.zset, all.ties, keys.rebuildSeen()];
    return call(() => beginRebuildScript.run(client, [...lease, ...tmpKeys, ...fixed], args));
  });

  const result: RebuildResult = { events: 0, applied: 0, duplicates: 0 };
  let batch: Array<Promise<boolean>> = [];
  const settle = async () => {
    const outcomes = await Promise.all(batch);
    batch = [];
    for (const applied of outcomes) {
      if (applied) result.applied++;
      else result.duplicates++;
    }
  };
  try {
    for await (const event of source) {
      const normalized = normalizeEvent(event?.eventId, event?.entries, event?.at);
      result.events++;
      batch.push(writer.write(normalized, 'rebuild', rebuildId));
      if (batch.length >= concurrency) await settle();
    }
    await settle();
    await retry(() => commit(client, keys, rebuildId, options.markerTtlMs, call));
    return result;
  } catch (err) {
    // Scripts still in flight must finish before the lease goes, or they would fail as "lost" unobserved.
    await Promise.allSettled(batch);
    await call(() => abortRebuildScript.run(client, [keys.rebuildLease()], [rebuildId])).catch(
      () => undefined,
    );
    throw err;
  }
}

async function commit(
  client: RedisClient,
  keys: LeaderboardKeys,
  rebuildId: string,
  markerTtlMs: number,
  call: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<number> {
  const [tmp, live] = await call(() =>
    Promise.all([client.zrange(keys.index(true), 0, '-1'), client.zrange(keys.index(), 0, '-1')]),
  );
  const rebuilt = new Set(tmp);
  const liveOnly = live.filter((suffix) => !rebuilt.has(suffix));
  const scriptKeys = [
    keys.rebuildLease(),
    keys.index(),
    keys.index(true),
    keys.rebuildSeen(),
    keys.committedRebuilds(),
  ];
  for (const suffix of tmp) {
    const from = keys.period(suffix, true);
    const to = keys.period(suffix);
    scriptKeys.push(from.zset, from.ties, to.zset, to.ties);
  }
  for (const suffix of liveOnly) {
    const k = keys.period(suffix);
    scriptKeys.push(k.zset, k.ties);
  }
  const args = [rebuildId, markerTtlMs, tmp.length, liveOnly.length, ...tmp, ...live];
  return call(() => commitRebuildScript.run(client, scriptKeys, args));
}

async function retry(attempt: () => Promise<number>): Promise<void> {
  for (let i = 0; i < ATTEMPTS; i++) if ((await attempt()) === 1) return;
  throw new LeaderboardError('E_LEADERBOARD_REBUILD_LOST', 'the board kept changing shape during the swap');
}
