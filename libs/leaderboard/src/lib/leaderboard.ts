import { whenReady, type RedisClient } from '@shop/redis';
import { rebuildBoard, type RebuildOptions, type RebuildResult } from './board-rebuild';
import { BoardWriter } from './board-writer';
import { LeaderboardInputError } from './errors';
import { MEMBER_ID, normalizeEvent, type LeaderboardDelta, type LeaderboardEvent } from './event-validation';
import { LeaderboardKeys, type PeriodKeys } from './leaderboard-keys';
import { leaderboardMetrics, type LeaderboardMetrics } from './leaderboard-metrics';
import {
  resolveLeaderboardOptions,
  type LeaderboardOptions,
  type ResolvedLeaderboardOptions,
} from './leaderboard-options';
import { periodOf, type PeriodKind } from './periods';
import { redisCall } from './redis-call';
import { aroundScript } from './scripts/around.script';
import { memberOf, totalOf } from './score-encoding';

/** A period to read: the current one (host clock), or the one an explicit instant falls in. */
export type PeriodSelector = PeriodKind | { period: PeriodKind; at?: Date };

/** One row of a board: `score` is the exact total, `rank` is 1-based. */
export interface LeaderboardEntry {
  member: string;
  score: number;
  rank: number;
}

/** A member and its neighbours, in rank order (`entries` includes `entry`). */
export interface AroundResult {
  entry: LeaderboardEntry;
  entries: LeaderboardEntry[];
}

export type ApplyResult = 'applied' | 'duplicate';

export const MAX_TOP = 1000;
export const MAX_AROUND = 100;

/**
 * One named leaderboard over Redis sorted sets, with all-time, ISO-week and day periods, fed exactly once
 * per event id (dedupe, score updates and marker in one Lua script) and read in one round trip per query.
 * Every key carries the board as hash tag, so it works unchanged on a Cluster.
 *
 * @example
 * const spend = new Leaderboard({ connections, name: 'customers-by-spend' });
 * await spend.apply(event.id, [{ member: order.customerId, delta: order.totalCents }], event.at);
 * const top = await spend.top('week', 10);               // [{ member, score, rank }]
 * const me = await spend.around('all', customerId, 2);   // 2 above, me, 2 below
 */
export class Leaderboard {
  readonly options: ResolvedLeaderboardOptions;
  private readonly client: RedisClient;
  private readonly keys: LeaderboardKeys;
  private readonly writer: BoardWriter;
  private readonly metrics: LeaderboardMetrics;

  constructor(options: LeaderboardOptions) {
    this.options = resolveLeaderboardOptions(options);
    // The request profile: fails at once while disconnected and times out, so a query never hangs.
    this.client = this.options.connections.shared('data', 'request');
    this.keys = new LeaderboardKeys(this.options.connections.keys, this.options.area, this.options.name);
    this.writer = new BoardWriter(this.client, this.keys, this.options);
    this.metrics = leaderboardMetrics(this.options.registry);
  }

  get name(): string {
    return this.options.name;
  }

  /** Resolves true once the Redis client is connected, false after `timeoutMs` (never rejects). */
  ready(timeoutMs = 2000): Promise<boolean> {
    return whenReady(this.client, timeoutMs);
  }

  /**
   * Adds every entry's delta to the member's total in the all-time, week and day periods `at` falls in
   * (UTC), exactly once per `eventId`: a redelivered event resolves `'duplicate'` and changes nothing.
   * Entries of one member are summed. Rejects with `LeaderboardInputError` for bad input,
   * `E_LEADERBOARD_SCORE_BOUND` for a total that would leave the exact range (nothing written), and
   * `LeaderboardUnavailableError` when Redis does not answer (leave the event unacknowledged).
   */
  async apply(eventId: string, entries: readonly LeaderboardDelta[], at: Date): Promise<ApplyResult> {
    const event = normalizeEvent(eventId, entries, at);
    const applied = await this.writer.write(event, 'live');
    (applied ? this.metrics.applied : this.metrics.duplicates).inc({ board: this.name });
    return applied ? 'applied' : 'duplicate';
  }

  /** The first `n` (1-1000) of a period, highest total first; ties: who reached the total first. */
  async top(period: PeriodSelector, n: number): Promise<LeaderboardEntry[]> {
    checkCount(n, 1, MAX_TOP, 'n');
    const { zset } = this.keysFor(period);
    const reply = await this.call(() => this.client.zrange(zset, 0, String(n - 1), 'WITHSCORES'));
    return toEntries(reply, 0);
  }

  /** A member's rank and exact total in a period, or null if it has none there. */
  async rank(period: PeriodSelector, member: string): Promise<LeaderboardEntry | null> {
    return (await this.around(period, member, 0))?.entry ?? null;
  }

  /** `n` (0-100) entries above and below a member plus the member, in one round trip; null if unranked. */
  async around(period: PeriodSelector, member: string, n: number): Promise<AroundResult | null> {
    if (typeof member !== 'string' || !MEMBER_ID.test(member))
      throw new LeaderboardInputError(`invalid member ${JSON.stringify(member)?.slice(0, 140)}`);
    checkCount(n, 0, MAX_AROUND, 'n');
    const { zset, ties } = this.keysFor(period);
    const reply = await this.call(() => aroundScript.run(this.client, [zset, ties], [member, n]));
    if (!reply) return null;
    const entries = toEntries(reply[1], Number(reply[0]));
    const entry = entries.find((e) => e.member === member);
    return entry ? { entry, entries } : null;
  }

  /**
   * Recomputes the board from `source` (e.g. the orders database after a Redis data loss) and swaps it
   * in atomically. Gives the same board as the live path for the same events — ties included, in any
   * order — and leaves every replayed event id marked, so a redelivery stays a duplicate.
   */
  rebuild(
    source: AsyncIterable<LeaderboardEvent> | Iterable<LeaderboardEvent>,
    options?: RebuildOptions,
  ): Promise<RebuildResult> {
    return rebuildBoard(this.client, this.keys, this.writer, this.options, source, options);
  }

  /** The Redis keys of a period (for operators and tests: TTLs, MEMORY USAGE). */
  keysFor(period: PeriodSelector): PeriodKeys {
    const kind = typeof period === 'string' ? period : period?.period;
    if (kind !== 'all' && kind !== 'week' && kind !== 'day')
      throw new LeaderboardInputError(`invalid period ${JSON.stringify(period)}: 'all' | 'week' | 'day'`);
    const at = typeof period === 'string' ? undefined : period.at;
    if (at !== undefined && (!(at instanceof Date) || !Number.isFinite(at.getTime())))
      throw new LeaderboardInputError('period.at must be a valid Date');
    return this.keys.period(LeaderboardKeys.suffix(periodOf(kind, at?.getTime() ?? this.options.clock())));
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return redisCall(this.name, this.options.timeoutMs, fn);
  }
}

/** `ZRANGE ... WITHSCORES` pairs into entries; `first` is the 0-based rank of the first pair. */
function toEntries(reply: string[], first: number): LeaderboardEntry[] {
  const entries: LeaderboardEntry[] = [];
  for (let i = 0; i < reply.length; i += 2) {
    entries.push({ member: memberOf(reply[i]), score: totalOf(reply[i + 1]), rank: first + i / 2 + 1 });
  }
  return entries;
}

function checkCount(n: number, min: number, max: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new LeaderboardInputError(`${what} must be an integer ${min}-${max}, got ${String(n)}`);
}
