import type { KeyBuilder } from '@shop/redis';

/** The keys of one feed. */
export interface FeedKeys {
  /** Capped stream of the feed's entries; the entry id is the notification id. */
  stream: string;
  /** Set of the entry ids not read yet (its size is the unread count). */
  unread: string;
  /** Dedupe marker of one event on this feed; its value is the entry id the event became. */
  event(eventId: string): string;
}

const AREA = 'notif';

/**
 * Every key of a feed carries the feed id as its Cluster hash tag, so the scripts that touch a feed's
 * stream, unread set and event marker run on one slot:
 *
 *   <prefix>:notif:{<feed>}:stream         stream, capped at NOTIFICATIONS_FEED_LENGTH   PX feed TTL
 *   <prefix>:notif:{<feed>}:unread         set of unread entry ids                       PX feed TTL
 *   <prefix>:notif:{<feed>}:e:<eventId>    entry id the event became                     PX dedupe TTL
 *
 * The feed id is validated as a key part (throws `InvalidKeyPartError`), so no input can change a slot.
 *
 * @example
 * feedKeys(keys, 'u_1').stream        // 'shop:notif:{u_1}:stream'
 */
export function feedKeys(keys: KeyBuilder, feed: string): FeedKeys {
  return {
    stream: keys.tagged(AREA, feed, 'stream'),
    unread: keys.tagged(AREA, feed, 'unread'),
    event: (eventId) => keys.tagged(AREA, feed, 'e', eventId),
  };
}
