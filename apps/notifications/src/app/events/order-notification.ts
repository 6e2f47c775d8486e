import {
  ADMINS_FEED,
  ORDER_STATUSES,
  ORDERS_EVENTS,
  USER_ID_PATTERN,
  type Notification,
  type NotificationKind,
  type OrderEventBase,
  type OrderStatus,
} from '@shop/contracts';
import { KeyBuilder } from '@shop/redis';
import { CodedError } from '@shop/util';
import { formatCents } from './money';

/** The order events that become notifications. */
export const NOTIFIED_EVENTS = [
  ORDERS_EVENTS.orderCreated,
  ORDERS_EVENTS.orderUpdated,
  ORDERS_EVENTS.orderStatusChanged,
  ORDERS_EVENTS.orderCancelled,
  ORDERS_EVENTS.orderDeleted,
] as const;
export type NotifiedEvent = (typeof NOTIFIED_EVENTS)[number];

/** A notification before it is stored: the feed entry id and the read mark come from the feed. */
export type NewNotification = Omit<Notification, 'id' | 'read'>;

/** One notification for one feed. */
export interface FeedNotification {
  feed: string;
  notification: NewNotification;
}

/**
 * Thrown for an event this service cannot describe (a field missing or of the wrong shape). The
 * transport keeps the entry pending, retries it and dead-letters it with this message, so an operator
 * sees it instead of a silent skip.
 */
export class InvalidOrderEventError extends CodedError<'E_INVALID_ORDER_EVENT'> {
  constructor(pattern: string, problem: string) {
    super('E_INVALID_ORDER_EVENT', `cannot notify ${pattern}: ${problem}`);
  }
}

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const STATUS_KINDS: Partial<Record<OrderStatus, NotificationKind>> = {
  paid: 'order.paid',
  shipped: 'order.shipped',
  delivered: 'order.delivered',
};

/**
 * What an order event becomes: one notification on its customer's feed and, for new orders and
 * cancellations, one more on the admins' feed (naming the customer). Pure: the same event always gives
 * the same notifications, so a redelivery republishes exactly what was stored.
 *
 * @example
 * notificationsFor('orders.order.status_changed', { ...event, status: 'paid', total: 1234 })
 * // [{ feed: 'u_1', notification: { kind: 'order.paid', message: 'Order ord_… was paid (€12.34)', … } }]
 */
export function notificationsFor(pattern: NotifiedEvent, payload: unknown): FeedNotification[] {
  const e = readOrderEvent(pattern, payload);
  const kind = kindOf(pattern, e);
  const base = {
    kind,
    orderId: e.orderId,
    customerId: e.customerId,
    status: e.status,
    total: e.total,
    at: e.at,
    eventId: e.eventId,
  };
  const out: FeedNotification[] = [
    { feed: e.customerId, notification: { ...base, message: customerMessage(kind, e) } },
  ];
  if (kind === 'order.created' || kind === 'order.cancelled') {
    out.push({ feed: ADMINS_FEED, notification: { ...base, message: adminMessage(kind, e) } });
  }
  return out;
}

type ReadEvent = OrderEventBase & { change?: string; previousTotal?: number };

function kindOf(pattern: NotifiedEvent, e: ReadEvent): NotificationKind {
  switch (pattern) {
    case ORDERS_EVENTS.orderCreated:
      return 'order.created';
    case ORDERS_EVENTS.orderUpdated:
      return 'order.updated';
    case ORDERS_EVENTS.orderCancelled:
      return 'order.cancelled';
    case ORDERS_EVENTS.orderDeleted:
      return 'order.deleted';
    case ORDERS_EVENTS.orderStatusChanged: {
      const kind = STATUS_KINDS[e.status];
      if (!kind) throw new InvalidOrderEventError(pattern, `no notification for a change to "${e.status}"`);
      return kind;
    }
  }
}

function customerMessage(kind: NotificationKind, e: ReadEvent): string {
  const order = `Order ${e.orderId}`;
  const total = formatCents(e.total);
  switch (kind) {
    case 'order.created':
      return `${order} was placed (${total})`;
    case 'order.updated':
      return e.change === 'tracking'
        ? `${order} has a new tracking note`
        : typeof e.previousTotal === 'number' && e.previousTotal !== e.total
          ? `${order} was updated: ${total} (was ${formatCents(e.previousTotal)})`
          : `${order} was updated (${total})`;
    case 'order.paid':
      return `${order} was paid (${total})`;
    case 'order.shipped':
      return `${order} was shipped`;
    case 'order.delivered':
      return `${order} was delivered`;
    case 'order.cancelled':
      return `${order} was cancelled (${total})`;
    case 'order.deleted':
      return `${order} was deleted`;
  }
}

function adminMessage(kind: 'order.created' | 'order.cancelled', e: ReadEvent): string {
  const total = formatCents(e.total);
  return kind === 'order.created'
    ? `New order ${e.orderId} from ${e.customerId} (${total})`
    : `Order ${e.orderId} from ${e.customerId} was cancelled (${total})`;
}

/** The fields this service uses, checked: every one reaches a key, a sentence or a client. */
function readOrderEvent(pattern: string, payload: unknown): ReadEvent {
  const bad = (problem: string) => new InvalidOrderEventError(pattern, problem);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw bad('the payload is not an object');
  const e = payload as Partial<Record<keyof ReadEvent, unknown>>;
  if (typeof e.eventId !== 'string' || !KeyBuilder.isValidPart(e.eventId) || e.eventId.length > 100)
    throw bad('eventId must be a string usable in a key (1-100 characters, no whitespace, ":" or braces)');
  if (typeof e.orderId !== 'string' || !ORDER_ID.test(e.orderId))
    throw bad('orderId is missing or malformed');
  // `feedOf` gives the admins' feed its own name: a customer by that name would write into it.
  if (typeof e.customerId !== 'string' || !USER_ID_PATTERN.test(e.customerId) || e.customerId === ADMINS_FEED)
    throw bad(`customerId must be a user id other than "${ADMINS_FEED}"`);
  if (!ORDER_STATUSES.includes(e.status as OrderStatus)) throw bad('status is not an order status');
  if (!Number.isSafeInteger(e.total) || (e.total as number) < 0) throw bad('total must be integer cents');
  if (typeof e.at !== 'string' || Number.isNaN(Date.parse(e.at))) throw bad('at must be an ISO 8601 time');
  if (e.previousTotal !== undefined && !Number.isSafeInteger(e.previousTotal))
    throw bad('previousTotal must be integer cents');
  return payload as ReadEvent;
}
