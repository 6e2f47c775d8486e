import { Inject, Injectable } from '@nestjs/common';
import { NOTIFICATIONS_LIVE_PATTERN, type LiveNotification } from '@shop/contracts';
import { encode, streamNames, trimArgs, type Envelope } from '@shop/messaging';
import { InjectEnv, ServiceEnv } from '@shop/platform';
import { RedisConnections, type RedisClient } from '@shop/redis';
import { FEED_SETTINGS, type FeedSettings } from '../notifications-env';

/**
 * Appends each stored notification to the live fan-out stream (`<prefix>:fan:{notifications}:live`),
 * which every gateway instance reads with a `FanOutReader` (`XREAD` from its last id, no group). Each
 * entry is an `Envelope` (field `m`) with pattern `notifications.live` and `LiveNotification` data; its
 * id is `<feed>/<entry id>`, the same for a republish after a redelivered event.
 *
 * The stream is capped with `MAXLEN ~ NOTIFICATIONS_LIVE_LENGTH` and, like every key, has a TTL (the
 * feed TTL, refreshed on each append in the same round trip).
 */
@Injectable()
export class LivePublisher {
  readonly stream: string;
  private readonly redis: RedisClient;
  private readonly sender: string;

  constructor(
    connections: RedisConnections,
    @Inject(FEED_SETTINGS) private readonly settings: FeedSettings,
    @InjectEnv() env: ServiceEnv,
  ) {
    this.redis = connections.shared('data', 'request');
    this.stream = streamNames.fanOut(connections.keys, 'notifications', 'live');
    this.sender = `notifications:${env.INSTANCE_ID}`;
  }

  async publish(live: LiveNotification): Promise<void> {
    const envelope: Envelope = {
      id: `${live.feed}/${live.notification.id}`,
      pattern: NOTIFICATIONS_LIVE_PATTERN,
      data: live,
      sender: this.sender,
      ts: Date.now(),
    };
    const replies = await this.redis
      .pipeline()
      .call('XADD', this.stream, ...trimArgs(this.settings.liveLength), '*', ...encode(envelope))
      .pexpire(this.stream, this.settings.feedTtlMs)
      .exec();
    for (const [err] of replies ?? []) if (err) throw err;
  }
}
