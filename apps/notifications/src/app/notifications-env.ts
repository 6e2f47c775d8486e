import { Type } from 'class-transformer';
import { IsInt, Matches, Max, Min } from 'class-validator';
import ms, { type StringValue } from 'ms';
import { ServiceEnv } from '@shop/platform';

/** A positive duration: milliseconds, or a number with `ms`, `s`, `m`, `h` or `d`. */
const DURATION = /^[1-9]\d*(ms|s|m|h|d)?$/;

/** The notifications service's environment: the shared variables with this service's defaults. */
export class NotificationsEnv extends ServiceEnv {
  override PORT = 3200;
  override DATABASE_URL = 'sqlite:./data/notifications.sqlite';

  /** Entries kept per feed (exact cap: the oldest are trimmed, and dropped from the unread count, on each add). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  NOTIFICATIONS_FEED_LENGTH = 200;

  /** About this many entries are kept on the live fan-out stream every gateway reads (`MAXLEN ~`). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  NOTIFICATIONS_LIVE_LENGTH = 10_000;

  /** A feed nobody adds to for this long expires (its stream and unread set); every add refreshes it. */
  @Matches(DURATION, { message: 'NOTIFICATIONS_FEED_TTL must be a positive duration like 30d' })
  NOTIFICATIONS_FEED_TTL = '30d';

  /** How long an event id is remembered per feed, so a redelivered event is not notified twice. */
  @Matches(DURATION, { message: 'NOTIFICATIONS_DEDUPE_TTL must be a positive duration like 7d' })
  NOTIFICATIONS_DEDUPE_TTL = '7d';
}

/** Injection token of the service's `FeedSettings`. */
export const FEED_SETTINGS = Symbol('FEED_SETTINGS');

/** What the feed store and the live publisher need, in one unit (milliseconds). */
export interface FeedSettings {
  feedLength: number;
  liveLength: number;
  feedTtlMs: number;
  dedupeTtlMs: number;
}

/** The feed settings of a validated environment (durations become milliseconds). */
export function feedSettingsOf(env: NotificationsEnv): FeedSettings {
  return {
    feedLength: env.NOTIFICATIONS_FEED_LENGTH,
    liveLength: env.NOTIFICATIONS_LIVE_LENGTH,
    feedTtlMs: durationMs(env.NOTIFICATIONS_FEED_TTL),
    dedupeTtlMs: durationMs(env.NOTIFICATIONS_DEDUPE_TTL),
  };
}

function durationMs(value: string): number {
  // A bare number is milliseconds (as `ms` reads it); the pattern above allows nothing else.
  return /^\d+$/.test(value) ? Number(value) : ms(value as StringValue);
}
