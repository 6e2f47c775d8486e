import type { RedisClient } from '@shop/redis';
import type { ResolvedLeaderboardOptions } from './leaderboard-options';
import { periodOf, type PeriodKind } from './periods';
import { redisCall } from './redis-call';
import { LeaderboardKeys } from './leaderboard-keys';
import { applyScript } from './scripts/apply.script';
import { tieStamp } from './score-encoding';

/** A validated event (see `normalizeEvent`). */
export interface NormalizedEvent {
  eventId: string;
  atMs: number;
  deltas: Map<string, number>;
}

/** Period 1 must be all-time: the script refreshes the rebuild's all-time keys by position. */
const KINDS: PeriodKind[] = ['all', 'week', 'day'];

/**
 * Turns one event into one `applyScript` call: the periods `at` falls in, their expiry (period end plus
 * grace, from the event time, never the host clock), the tie stamp and every key. Shared by `apply`
 * (mode `live`) and `rebuild` (mode `rebuild`), so both write exactly the same thing.
 */
export class BoardWriter {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: LeaderboardKeys,
    private readonly options: ResolvedLeaderboardOptions,
  ) {}

  /** Resolves true when applied now, false for a duplicate. */
  async write(event: NormalizedEvent, mode: 'live' | 'rebuild', rebuildId = ''): Promise<boolean> {
    const keys = [
      this.keys.marker(event.eventId),
      this.keys.rebuildLease(),
      this.keys.index(),
      this.keys.index(true),
      this.keys.rebuildSeen(),
      this.keys.committedRebuilds(),
    ];
    const args: Array<string | number> = [
      mode,
      rebuildId,
      this.options.markerTtlMs,
      this.options.rebuildTtlMs,
      tieStamp(event.eventId, event.atMs),
      event.eventId,
      KINDS.length,
    ];
    for (const kind of KINDS) {
      const period = periodOf(kind, event.atMs);
      const suffix = LeaderboardKeys.suffix(period);
      const live = this.keys.period(suffix);
      const tmp = this.keys.period(suffix, true);
      keys.push(live.zset, live.ties, tmp.zset, tmp.ties);
      args.push(suffix, this.expireAt(kind, period.end));
    }
    args.push(event.deltas.size);
    for (const [member, delta] of event.deltas) args.push(member, delta);
    const applied = await redisCall(this.options.name, this.options.timeoutMs, () =>
      applyScript.run(this.client, keys, args),
    );
    return applied === 1;
  }

  private expireAt(kind: PeriodKind, end: number): number {
    if (kind === 'all') return 0;
    return end + (kind === 'day' ? this.options.dayGraceMs : this.options.weekGraceMs);
  }
}
