import type { RedisConnections } from '@shop/redis';
import { toMs as durationMs, type Duration } from '@shop/util';
import type { Registry } from 'prom-client';
import { LeaderboardInputError } from './errors';

/** A duration: milliseconds or an `ms` string such as `'7d'` (`@shop/util`). */
export type { Duration };

/** Options of one board (`new Leaderboard(options)`). */
export interface LeaderboardOptions {
  /** Where the Redis connection comes from (`@shop/redis`; the shared fail-fast `request` client of the data role). */
  connections: RedisConnections;
  /** The board, e.g. `customers-by-spend`: lower-case `[a-z0-9-]`, 1-40 characters; it is the keys' hash tag. */
  name: string;
  /** Key area: keys are `<prefix>:<area>:{<name>}:...`. @default 'lb' */
  area?: string;
  /** How long an event id is remembered as applied (the redelivery window). @default '7d' */
  markerTtl?: Duration;
  /** A day's keys expire this long after the day ends (UTC), so "yesterday" stays readable. @default '7d' */
  dayGrace?: Duration;
  /** A week's keys expire this long after the ISO week ends (UTC). @default '28d' */
  weekGrace?: Duration;
  /** Lease of a running rebuild, renewed by every event it writes; after it the rebuild is abandoned. @default '10m' */
  rebuildTtl?: Duration;
  /** Upper bound of one Redis call before `LeaderboardUnavailableError`. @default the connections' `commandTimeoutMs` */
  timeout?: Duration;
  /** Metrics registry. @default the prom-client global registry */
  registry?: Registry;
  /** Host clock, only for picking the *current* week/day of a query (writes use the event's `at`). @default Date.now */
  clock?: () => number;
}

export interface ResolvedLeaderboardOptions {
  connections: RedisConnections;
  name: string;
  area: string;
  markerTtlMs: number;
  dayGraceMs: number;
  weekGraceMs: number;
  rebuildTtlMs: number;
  timeoutMs: number;
  registry?: Registry;
  clock: () => number;
}

const BOARD_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Fills the defaults and validates; pure, so the options table in the README is tested against it. */
export function resolveLeaderboardOptions(options: LeaderboardOptions): ResolvedLeaderboardOptions {
  if (!BOARD_NAME.test(options.name ?? ''))
    throw new LeaderboardInputError(
      `invalid leaderboard name ${JSON.stringify(options.name)}: lower-case [a-z][a-z0-9-]{0,39}`,
    );
  const positive = (value: Duration, what: string) => {
    const result = toMs(value, what);
    if (result < 1) throw new LeaderboardInputError(`${what} must be at least 1 ms`);
    return Math.round(result);
  };
  return {
    connections: options.connections,
    name: options.name,
    area: options.area ?? 'lb',
    markerTtlMs: positive(options.markerTtl ?? '7d', 'markerTtl'),
    dayGraceMs: Math.round(toMs(options.dayGrace ?? '7d', 'dayGrace')),
    weekGraceMs: Math.round(toMs(options.weekGrace ?? '28d', 'weekGrace')),
    rebuildTtlMs: positive(options.rebuildTtl ?? '10m', 'rebuildTtl'),
    timeoutMs: positive(options.timeout ?? options.connections.options.commandTimeoutMs, 'timeout'),
    registry: options.registry,
    clock: options.clock ?? Date.now,
  };
}

/** Milliseconds of a duration; a malformed one is the caller's input error (`LeaderboardInputError`). */
export function toMs(value: Duration, what: string): number {
  return durationMs(value, what, { error: (message) => new LeaderboardInputError(message) });
}
