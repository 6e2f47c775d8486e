import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ORDERS_EVENTS, type OrderEventBase, type ProductChangedEvent } from '@shop/contracts';
import { ResponseInvalidation } from './response-invalidation';
import { orderTags, productTags, RESPONSE_TAGS } from './response-tags';

/**
 * Event-based invalidation of the HTTP response cache: the orders service's events, read by the
 * `gateway` consumer group (one gateway instance handles each event; the tag bump reaches every instance
 * through Redis and the cache bus). Covers changes no gateway request made (write-behind statuses
 * persisted later, admin tools, another gateway deployment). Idempotent: a redelivery bumps again.
 */
@Controller()
export class CacheInvalidationController {
  constructor(private readonly invalidation: ResponseInvalidation) {}

  /** The product's own responses and the list pages; the whole catalog when the event names no sku. */
  @EventPattern(ORDERS_EVENTS.productChanged)
  productChanged(@Payload() event: ProductChangedEvent): Promise<void> {
    return this.invalidation.invalidateOrThrow(productTags(event?.sku));
  }

  /**
   * A new order changes its customer's lists and the admin lists only: nothing of the order itself can
   * be cached before it exists (errors are not stored), and bumping its tag here would drop the entry a
   * first read stored meanwhile, for no gain.
   */
  @EventPattern(ORDERS_EVENTS.orderCreated)
  async orderCreated(@Payload() event: OrderEventBase): Promise<void> {
    if (typeof event?.customerId !== 'string') return;
    await this.invalidation.invalidateOrThrow([
      RESPONSE_TAGS.ordersOf(event.customerId),
      RESPONSE_TAGS.allOrders,
    ]);
  }

  @EventPattern(ORDERS_EVENTS.orderUpdated)
  orderUpdated(@Payload() event: OrderEventBase): Promise<void> {
    return this.orderChanged(event);
  }

  @EventPattern(ORDERS_EVENTS.orderStatusChanged)
  orderStatusChanged(@Payload() event: OrderEventBase): Promise<void> {
    return this.orderChanged(event);
  }

  @EventPattern(ORDERS_EVENTS.orderCancelled)
  orderCancelled(@Payload() event: OrderEventBase): Promise<void> {
    return this.orderChanged(event);
  }

  @EventPattern(ORDERS_EVENTS.orderDeleted)
  orderDeleted(@Payload() event: OrderEventBase): Promise<void> {
    return this.orderChanged(event);
  }

  /** Throws while the cache Redis is down, so the event is redelivered rather than acknowledged unapplied. */
  private async orderChanged(event: OrderEventBase): Promise<void> {
    if (typeof event?.orderId !== 'string' || typeof event.customerId !== 'string') return;
    await this.invalidation.invalidateOrThrow(orderTags(event.orderId, event.customerId));
  }
}
