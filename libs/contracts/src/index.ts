export { CallerDto, ROLES, USER_ID_PATTERN, type Role } from './lib/common/caller.dto';
export { WithCallerDto } from './lib/common/with-caller.dto';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageQueryDto } from './lib/common/page-query.dto';
export type { Page } from './lib/common/page';
export { ERROR_CODES, type ErrorCode } from './lib/common/error-codes';
export {
  NOTIFICATIONS_COMMANDS,
  ORDERS_COMMANDS,
  ORDERS_EVENTS,
  type OrdersEventPattern,
} from './lib/patterns';

export { MAX_PRICE_CENTS, MAX_PRODUCT_NAME, MIN_PRICE_CENTS, SKU_PATTERN } from './lib/catalog/product-rules';
export type { Product } from './lib/catalog/product';
export { ListProductsDto } from './lib/catalog/list-products.dto';
export { GetProductDto } from './lib/catalog/get-product.dto';
export { CreateProductDto } from './lib/catalog/create-product.dto';
export { UpdateProductDto } from './lib/catalog/update-product.dto';
export { DeactivateProductDto } from './lib/catalog/deactivate-product.dto';
export { ReindexCatalogDto } from './lib/catalog/reindex-catalog.dto';

export {
  canTransition,
  IDEMPOTENCY_KEY_PATTERN,
  IDEMPOTENCY_TTL_MS,
  MAX_ORDER_LINES,
  MAX_QUANTITY,
  MAX_TRACKING_NOTE,
  MIN_QUANTITY,
  ORDER_ID_PATTERN,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type OrderStatus,
} from './lib/orders/order-rules';
export type { Order, OrderLine } from './lib/orders/order';
export { OrderItemInputDto } from './lib/orders/order-item-input.dto';
export { CreateOrderDto } from './lib/orders/create-order.dto';
export { GetOrderDto } from './lib/orders/get-order.dto';
export { ListOrdersDto } from './lib/orders/list-orders.dto';
export { UpdateOrderItemsDto } from './lib/orders/update-order-items.dto';
export { ChangeOrderStatusDto } from './lib/orders/change-order-status.dto';
export { SetTrackingNoteDto } from './lib/orders/set-tracking-note.dto';
export { CancelOrderDto } from './lib/orders/cancel-order.dto';
export { DeleteOrderDto, type OrderDeleted } from './lib/orders/delete-order.dto';

export {
  BOARD_PERIODS,
  BOARDS,
  MAX_AROUND,
  MAX_BOARD_SIZE,
  type BoardAnswer,
  type BoardEntry,
  type BoardName,
  type BoardPeriod,
} from './lib/leaderboard/leaderboard-rules';
export { BoardTopDto } from './lib/leaderboard/board-top.dto';
export { BoardAroundDto } from './lib/leaderboard/board-around.dto';
export { BoardRebuildDto } from './lib/leaderboard/board-rebuild.dto';

export type {
  OrderCancelledEvent,
  OrderCreatedEvent,
  OrderDeletedEvent,
  OrderEventBase,
  OrderStatusChangedEvent,
  OrderUpdatedEvent,
} from './lib/events/order-events';
export type { ProductChangedEvent } from './lib/events/product-events';

// Field rules, for HTTP bodies that carry the same fields as a command (one rule, one message).
export { IsPriceCents } from './lib/catalog/price.decorator';
export { IsSku } from './lib/catalog/sku.decorator';
export { IsExpectedVersion } from './lib/orders/expected-version.decorator';
export { IsOrderId } from './lib/orders/order-id.decorator';
export { IsOrderItems } from './lib/orders/order-items.decorator';

export {
  ADMINS_FEED,
  FEED_START,
  feedOf,
  NOTIFICATION_KINDS,
  NOTIFICATIONS_LIVE_PATTERN,
  type LiveNotification,
  type Notification,
  type NotificationKind,
  type NotificationsSince,
  type UnreadCount,
} from './lib/notifications/notification';
export { IsNotificationId, NOTIFICATION_ID_PATTERN } from './lib/notifications/notification-id.decorator';
export {
  ListNotificationsDto,
  MarkAllNotificationsReadDto,
  MarkNotificationReadDto,
  NotificationsSinceDto,
  UnreadCountDto,
} from './lib/notifications/notifications.dto';
