import { Injectable, Logger } from '@nestjs/common';
import { Cache } from '@shop/cache';

/**
 * Drops cached responses by tag on every gateway instance (the cache's tag versions live in Redis, its
 * bus clears each instance's L1). Never fails the request that caused it: when the cache Redis is down,
 * the entries are unreachable anyway and their TTL bounds what a recovering cache could still serve;
 * the event path repeats the invalidation once the orders service has published the change.
 */
@Injectable()
export class ResponseInvalidation {
  private readonly log = new Logger('ResponseInvalidation');

  constructor(private readonly cache: Cache) {}

  async invalidate(tags: string[]): Promise<void> {
    try {
      await this.cache.invalidateTags(tags);
    } catch (err) {
      this.log.warn({ msg: 'response cache not invalidated', tags, err: String(err) });
    }
  }

  /** For event handlers: a failure propagates, so the event stays pending and is retried. */
  async invalidateOrThrow(tags: string[]): Promise<void> {
    await this.cache.invalidateTags(tags);
  }
}
