import { HttpException } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RateLimiter } from '../core/rate-limiter';
import type { RateLimitMode, RedisDownMode } from '../rate-limit-options';
import { rateLimitErrorBody, retryAfterSeconds } from './rate-limit-headers';

/** The record the throttler guard reads; `ThrottlerStorageRecord` plus what the IETF headers need. */
export interface RateLimitStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

export interface ThrottlerStorageOptions {
  /** Algorithm per throttler name. @default 'counter' for every throttler */
  modes?: Record<string, RateLimitMode>;
  /** Redis-down mode per throttler name. @default 'local' for every throttler */
  onRedisDown?: Record<string, RedisDownMode>;
}

/**
 * `@nestjs/throttler` storage on the sliding-window limiter: configure `ThrottlerModule` as usual
 * (`throttlers: [{ name, limit, ttl }]`, `@Throttle()`, `@SkipThrottle()`) and pass
 * `storage: new RateLimitThrottlerStorage(limiter)`. Windows slide (no 2x burst at an edge) and the
 * counts are shared by every instance. `blockDuration` is not used: a denied client may retry as soon as
 * the window has room (`timeToBlockExpire` is that retry-after). A `fail-closed` throttler whose
 * decision Redis cannot make throws a 503 `HttpException` with the JSON body.
 *
 * @example
 * ThrottlerModule.forRootAsync({ inject: [RateLimiter], useFactory: (limiter: RateLimiter) => ({
 *   throttlers: [{ name: 'default', limit: 600, ttl: 60_000 }],
 *   storage: new RateLimitThrottlerStorage(limiter),
 * }) })
 */
export class RateLimitThrottlerStorage implements ThrottlerStorage {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly options: ThrottlerStorageOptions = {},
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitStorageRecord> {
    // The guard's key is already a SHA-256 of class, handler, throttler and tracker; hashed again anyway.
    const decision = await this.limiter.consume(key, [
      {
        name: throttlerName,
        limit,
        window: ttl,
        mode: this.options.modes?.[throttlerName],
        onRedisDown: this.options.onRedisDown?.[throttlerName],
      },
    ]);
    if (decision.unavailable) {
      throw new HttpException(rateLimitErrorBody(decision), 503);
    }
    const [p] = decision.policies;
    return {
      totalHits: p.allowed ? limit - p.remaining : limit + 1,
      timeToExpire: Math.ceil(p.resetMs / 1000),
      isBlocked: !p.allowed,
      timeToBlockExpire: p.allowed ? 0 : retryAfterSeconds(decision.retryAfterMs),
    };
  }
}
