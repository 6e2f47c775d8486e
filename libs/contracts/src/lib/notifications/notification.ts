import type { OrderStatus } from '../orders/order-rules';

/** What happened to the order, as the feed tells it. */
export const NOTIFICATION_KINDS = [
  'order.created',
  'order.updated',
  'order.paid',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.deleted',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One entry of a feed. `id` is the entry id in the feed's capped Redis Stream (`<ms>-<seq>`): it orders
 * the feed, pages it, and is the SSE event `id` a reconnecting browser sends back as `Last-Event-ID`.
 */
export interface Notification {
  id: string;
  kind: NotificationKind;
  orderId: string;
  /** The order's customer (on the admins' feed: whose order it is). */
  customerId: string;
  status: OrderStatus;
  total: number;
  /** One human sentence, e.g. "Order o_abc was paid (€12.34)". */
  message: string;
  /** When the order changed (the event's `at`, ISO 8601). */
  at: string;
  /** The order event it came from (a redelivered event is never notified twice). */
  eventId: string;
  read: boolean;
}

/**
 * Whose feed a caller reads: a customer their own, an admin the shared admins' feed (new orders and
 * cancellations of every customer). The admins' read marks are shared by all admins.
 */
export const ADMINS_FEED = 'admins';
export const feedOf = (caller: { userId: string; role: string }): string =>
  caller.role === 'admin' ? ADMINS_FEED : caller.userId;

/**
 * The id before every entry of a feed: `since` after it is the whole feed while nothing has been
 * trimmed from it (a reader that started on an empty feed misses nothing), a `reset` once something was.
 */
export const FEED_START = '0-0';

/** Pattern of the entries on the live fan-out stream every gateway instance reads. */
export const NOTIFICATIONS_LIVE_PATTERN = 'notifications.live';

/** Payload of a live fan-out entry: the feed it was added to and the notification as stored there. */
export interface LiveNotification {
  feed: string;
  notification: Notification;
  /**
   * The id of the feed's entry before this one (absent when the feed was empty). Two instances can add
   * to one feed at once and publish in the other order: a reader that has not sent `previousId` yet has
   * a gap and reads the feed after its last id (`notifications.since`) instead of skipping an entry.
   */
  previousId?: string;
}

/** Reply of `notifications.since`. */
export interface NotificationsSince {
  /** True when `after` is not in the feed (unknown, or trimmed away): `items` are then the latest ones. */
  reset: boolean;
  /** Oldest first. */
  items: Notification[];
}

/** Reply of `notifications.unreadCount` and of the mark-read commands. */
export interface UnreadCount {
  unread: number;
}
