import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ORDERS_EVENTS } from '@shop/contracts';
import { OrderNotifier } from './order-notifier';

/**
 * The orders service's events, read by the `notifications` consumer group on the orders event stream:
 * one instance handles each event, at least once, acked after the handler resolved. Payloads are
 * checked by `notificationsFor` (a malformed one fails, is retried and dead-lettered with the reason).
 */
@Controller()
export class OrderEventsController {
  constructor(private readonly notifier: OrderNotifier) {}

  @EventPattern(ORDERS_EVENTS.orderCreated)
  created(@Payload() event: unknown): Promise<void> {
    return this.notifier.notify(ORDERS_EVENTS.orderCreated, event);
  }

  @EventPattern(ORDERS_EVENTS.orderUpdated)
  updated(@Payload() event: unknown): Promise<void> {
    return this.notifier.notify(ORDERS_EVENTS.orderUpdated, event);
  }

  @EventPattern(ORDERS_EVENTS.orderStatusChanged)
  statusChanged(@Payload() event: unknown): Promise<void> {
    return this.notifier.notify(ORDERS_EVENTS.orderStatusChanged, event);
  }

  @EventPattern(ORDERS_EVENTS.orderCancelled)
  cancelled(@Payload() event: unknown): Promise<void> {
    return this.notifier.notify(ORDERS_EVENTS.orderCancelled, event);
  }

  @EventPattern(ORDERS_EVENTS.orderDeleted)
  deleted(@Payload() event: unknown): Promise<void> {
    return this.notifier.notify(ORDERS_EVENTS.orderDeleted, event);
  }
}
