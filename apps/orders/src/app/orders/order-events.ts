import { ORDERS_EVENTS, type Order, type OrderEventBase, type OrderUpdatedEvent } from '@shop/contracts';
import type { EventOf } from './orders.repository';

const base = (order: Order, eventId: string): OrderEventBase => ({
  eventId,
  orderId: order.id,
  customerId: order.customerId,
  version: order.version,
  status: order.status,
  total: order.total,
  items: order.items,
  at: order.updatedAt,
});

/** Builders of the events each change commits with (see `@shop/contracts` for the shapes). */
export const orderEvents = {
  created: (): EventOf => (order, id) => ({ pattern: ORDERS_EVENTS.orderCreated, payload: base(order, id) }),
  updated:
    (change: OrderUpdatedEvent['change'], previousTotal: number): EventOf =>
    (order, id) => ({
      pattern: ORDERS_EVENTS.orderUpdated,
      payload: { ...base(order, id), change, previousTotal },
    }),
  deleted: (): EventOf => (order, id) => ({ pattern: ORDERS_EVENTS.orderDeleted, payload: base(order, id) }),
};
