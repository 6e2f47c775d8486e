import { Injectable, Logger } from '@nestjs/common';
import { Cache } from '@shop/cache';
import { counterOnce } from '@shop/platform';
import { CodedError } from '@shop/util';

/** Thrown to an event handler when the tags could not be bumped: the event stays pending and is retried. */
export class ResponseInvalidationFailedError extends CodedError<'E_RESPONSE_INVALIDATION_FAILED'> {
  constructor(tags: string[]) {
    super(
      'E_RESPONSE_INVALIDATION_FAILED',
      `response cache tags not invalidated (cache Redis unreachable or timed out): ${tags.join(', ')}`,
    );
  }
}

/**
 * Drops cached responses by tag on every gateway instance (the cache's tag versions live in Redis, its
 * bus clears each instance's L1).
 *
 * `Cache.invalidateTags` does not throw when Redis cannot be reached or the bump times out: it resolves
 * `false`. Both paths here read that answer, because ignoring it left every instance serving the old
 * response for the whole TTL while the write, and even the event meant to repeat it, counted as done.
 */
@Injectable()
export class ResponseInvalidation {
  private readonly log = new Logger('ResponseInvalidation');
  private readonly failed = counterOnce(
    'gateway_response_invalidation_failed_total',
    'Tag invalidations of the response cache that did not reach Redis, by path (request or event)',
    ['path'],
  );

  constructor(private readonly cache: Cache) {}

  /**
   * For the request that made the change: never fails it (the change is committed). A failed bump is
   * logged and counted; the order or product event that the change publishes runs the same invalidation
   * through `invalidateOrThrow`, which retries until it lands, so staleness is bounded by the event lag
   * rather than by the entries' TTL. Resolves whether the invalidation is assured now.
   */
  async invalidate(tags: string[]): Promise<boolean> {
    let done = false;
    let reason = 'cache Redis unreachable or timed out';
    try {
      done = await this.cache.invalidateTags(tags);
    } catch (err) {
      reason = String(err);
    }
    if (!done) {
      this.failed.inc({ path: 'request' });
      this.log.warn({ msg: 'response cache not invalidated; the change event will retry it', tags, reason });
    }
    return done;
  }

  /** For event handlers: a failed bump rejects, so the event stays pending and is redelivered. */
  async invalidateOrThrow(tags: string[]): Promise<void> {
    if (await this.cache.invalidateTags(tags)) return;
    this.failed.inc({ path: 'event' });
    throw new ResponseInvalidationFailedError(tags);
  }
}
