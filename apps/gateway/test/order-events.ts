import { ORDERS_EVENTS, type OrderCreatedEvent } from '@shop/contracts';
import { encode, newMessageId } from '@shop/messaging';
import type { RedisConnections } from '@shop/redis';

/** The orders service's event stream, where its outbox publishes (key prefix `shop`). */
export const ORDERS_EVENT_STREAM = 'shop:evt:{orders}';

/**
 * What the orders outbox would publish for new order number `n` of `customerId`: lets a test send a
 * burst of notifications without placing the orders over HTTP. Resolves with the event's stream id.
 */
export function publishOrderCreated(
  data: RedisConnections,
  customerId: string,
  n: number,
): Promise<string | null> {
  const event: OrderCreatedEvent = {
    eventId: newMessageId(),
    orderId: `ord_${String(n).padStart(26, '0')}`,
    customerId,
    version: 1,
    status: 'pending',
    total: 100 + n,
    items: [{ sku: 'PEN-4C', name: 'Pen', quantity: 1, unitPrice: 100 + n }],
    at: new Date().toISOString(),
  };
  return data.shared('data', 'background').xadd(
    ORDERS_EVENT_STREAM,
    '*',
    ...encode({
      id: event.eventId,
      pattern: ORDERS_EVENTS.orderCreated,
      data: event,
      sender: 'orders:e2e',
      ts: Date.now(),
    }),
  );
}
