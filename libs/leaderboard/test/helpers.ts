import { RedisConnections, type RedisClient } from '@shop/redis';
import { Registry } from 'prom-client';
import { Leaderboard, type LeaderboardEntry, type LeaderboardOptions, type PeriodSelector } from '../src';

export const COMMAND_TIMEOUT_MS = 300;

/** A board "instance" with its own connections, as a separate orders process would have. */
export async function makeBoard(url: string, id: string, options: Partial<LeaderboardOptions> = {}) {
  const connections = new RedisConnections({
    url,
    keyPrefix: 'lt',
    connectionName: id,
    commandTimeoutMs: COMMAND_TIMEOUT_MS,
    maxReconnectDelayMs: 200,
  });
  const registry = new Registry();
  const board = new Leaderboard({ connections, registry, name: 'customers-by-spend', ...options });
  if (!(await board.ready(5000))) throw new Error(`board ${id} did not connect`);
  return {
    board,
    connections,
    registry,
    /** The board's own request client (the same instance `shared()` hands the board). */
    client: connections.shared('data', 'request'),
    close: () => connections.close(),
  };
}

/** A plain client for assertions (TTLs, SCAN), from the same connection factory as the lib. */
export function rawClient(connections: RedisConnections): RedisClient {
  return connections.shared('data', 'background');
}

/** The value of one labelled counter. */
export async function counterValue(registry: Registry, name: string, board: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.find((v) => v.labels['board'] === board)?.value ?? 0;
}

/** A whole period as `[member, score]` pairs in rank order (ranks checked to be 1..n on the way). */
export async function snapshot(board: Leaderboard, period: PeriodSelector): Promise<Array<[string, number]>> {
  const entries: LeaderboardEntry[] = await board.top(period, 1000);
  entries.forEach((e, i) => expect(e.rank).toBe(i + 1));
  return entries.map((e) => [e.member, e.score]);
}

/** A minute-aligned instant `minutes` after `base`. */
export function minutesAfter(base: number, minutes: number): Date {
  return new Date(base + minutes * 60_000);
}

const DAY = 86_400_000;

/** About an hour ago, moved back if needed so that the next 90 minutes stay on one UTC day. */
export function recentBase(): number {
  const base = Date.now() - 3600_000;
  const nextDay = Math.floor(base / DAY) * DAY + DAY;
  return base + 90 * 60_000 < nextDay ? base : nextDay - 3 * 3600_000;
}
