import { counterOnce } from '@shop/platform';
import { register, type Counter, type Registry } from 'prom-client';

/**
 * The service's own metrics (the libs add theirs: messaging, Redis). `notifications_feed_writes_total`
 * counts adds per feed kind (`customer` | `admins`) and outcome (`added`, `duplicate`: a redelivered
 * event, `gone`: a redelivered event whose entry was trimmed since).
 */
export class NotificationsMetrics {
  readonly feedWrites: Counter;
  readonly livePublished: Counter;

  constructor(registry: Registry = register) {
    this.feedWrites = counterOnce(
      'notifications_feed_writes_total',
      'Notifications written to feeds, per feed kind and outcome',
      ['feed', 'outcome'],
      registry,
    );
    this.livePublished = counterOnce(
      'notifications_live_published_total',
      'Entries appended to the live fan-out stream (republished duplicates included)',
      [],
      registry,
    );
  }
}
