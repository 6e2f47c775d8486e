import type { OrderLine } from '../orders/order';
import type { OrderStatus } from '../orders/order-rules';

/** What every order event carries: its own id, the order, its customer and the order's new version. */
export interface OrderEventBase {
  eventId: string;
  orderId: string;
  customerId: string;
  version: number;
  status: OrderStatus;
  total: number;
  items: OrderLine[];
  /** When the change happened (ISO 8601), as recorded in the row. */
  at: string;
}

/** `orders.order.created`. */
export type OrderCreatedEvent = OrderEventBase;

/** `orders.order.updated`: items replaced or tracking note set. */
export interface OrderUpdatedEvent extends OrderEventBase {
  change: 'items' | 'tracking';
  previousTotal: number;
}

/** `orders.order.status_changed` (write-behind changes: when persisted, in order per order). */
export interface OrderStatusChangedEvent extends OrderEventBase {
  from: OrderStatus;
}

/** `orders.order.cancelled`: `from` tells consumers whether it had been paid (boards subtract). */
export interface OrderCancelledEvent extends OrderEventBase {
  from: OrderStatus;
}

/** `orders.order.deleted` (admin): the order and its lines are gone. */
export type OrderDeletedEvent = OrderEventBase;
