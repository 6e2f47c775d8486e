import type { KeyBuilder } from '@shop/redis';
import type { Period } from './periods';

/** The sorted set (ordering and totals) and hash (member -> tie stamp) of one period. */
export interface PeriodKeys {
  zset: string;
  ties: string;
}

/**
 * Every key of one board carries the board as its hash tag, so all periods, the dedupe markers and the
 * rebuild's temporary keys share one Cluster slot and one script can touch them all:
 *
 *   <prefix>:<area>:{<board>}:all | w:<2026-W53> | d:<2026-12-31>   sorted set, score = -total
 *   ...:<period>:t                                                  hash member -> tie stamp
 *   ...:periods                                                     sorted set of live period suffixes, score = expiry ms
 *   ...:e:<eventId>                                                 dedupe marker ('1' | 'r:<rebuild id>', PX markerTtl)
 *   ...:rebuild                                                     lease of a running rebuild (its id)
 *   ...:rebuilds                                                    sorted set of committed rebuild ids, score = commit ms
 *   ...:tmp:<period>[:t], ...:tmp:periods, ...:tmp:seen             the rebuild's board and event ids until the swap
 */
export class LeaderboardKeys {
  constructor(
    private readonly keys: KeyBuilder,
    private readonly area: string,
    private readonly board: string,
  ) {
    keys.tagged(area, board); // validates area and board once
  }

  /** `all`, `w:<id>` or `d:<id>`: the suffix a period's keys and index entry use. */
  static suffix(period: Period): string {
    return period.kind === 'all' ? 'all' : `${period.kind === 'week' ? 'w' : 'd'}:${period.id}`;
  }

  period(suffix: string, tmp = false): PeriodKeys {
    const parts = [...(tmp ? ['tmp'] : []), ...suffix.split(':')];
    const zset = this.keys.tagged(this.area, this.board, ...parts);
    return { zset, ties: `${zset}:t` };
  }

  index(tmp = false): string {
    return tmp
      ? this.keys.tagged(this.area, this.board, 'tmp', 'periods')
      : this.keys.tagged(this.area, this.board, 'periods');
  }

  marker(eventId: string): string {
    return this.keys.tagged(this.area, this.board, 'e', eventId);
  }

  rebuildLease(): string {
    return this.keys.tagged(this.area, this.board, 'rebuild');
  }

  /** Ids of the events a running rebuild has in its board (replayed, or applied live meanwhile). */
  rebuildSeen(): string {
    return this.keys.tagged(this.area, this.board, 'tmp', 'seen');
  }

  /** Committed rebuilds, so their markers count as "in the live board" (kept for `markerTtl`). */
  committedRebuilds(): string {
    return this.keys.tagged(this.area, this.board, 'rebuilds');
  }
}
