import { Injectable } from '@nestjs/common';
import { ADMINS_FEED } from '@shop/contracts';
import { FeedStore } from '../feed/feed.store';
import { LivePublisher } from '../live/live-publisher';
import { NotificationsMetrics } from '../notifications-metrics';
import { notificationsFor, type NotifiedEvent } from './order-notification';

/**
 * Turns one order event into its notifications: each is stored in its feed (once per event, by the
 * feed script) and then appended to the live fan-out stream, a duplicate too (a redelivery may follow a
 * crash between the two; gateways drop what they have by id). The transport acks the event after this
 * resolves; a failure leaves it pending, so it is retried and the stored part deduplicated.
 */
@Injectable()
export class OrderNotifier {
  constructor(
    private readonly feeds: FeedStore,
    private readonly live: LivePublisher,
    private readonly metrics: NotificationsMetrics,
  ) {}

  async notify(pattern: NotifiedEvent, payload: unknown): Promise<void> {
    for (const { feed, notification } of notificationsFor(pattern, payload)) {
      const stored = await this.feeds.add(feed, notification);
      const labels = { feed: feed === ADMINS_FEED ? 'admins' : 'customer' };
      this.metrics.feedWrites.inc({ ...labels, outcome: stored?.outcome ?? 'gone' });
      if (!stored) continue;
      await this.live.publish({
        feed,
        notification: stored.notification,
        ...(stored.previousId ? { previousId: stored.previousId } : {}),
      });
      this.metrics.livePublished.inc();
    }
  }
}
