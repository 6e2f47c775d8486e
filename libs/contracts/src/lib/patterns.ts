/** Command patterns of the orders service (`send`): exactly one orders instance handles each. */
export const ORDERS_COMMANDS = {
  ping: 'orders.ping',
  listProducts: 'orders.products.list',
  getProduct: 'orders.products.get',
  createProduct: 'orders.products.create',
  updateProduct: 'orders.products.update',
  deactivateProduct: 'orders.products.deactivate',
  reindexCatalog: 'orders.catalog.reindex',
  create: 'orders.create',
  get: 'orders.get',
  list: 'orders.list',
  updateItems: 'orders.updateItems',
  changeStatus: 'orders.changeStatus',
  setTracking: 'orders.setTracking',
  cancel: 'orders.cancel',
  delete: 'orders.delete',
  boardTop: 'orders.leaderboard.top',
  boardAround: 'orders.leaderboard.around',
  boardRebuild: 'orders.leaderboard.rebuild',
} as const;

/**
 * Event patterns the orders service publishes (`<producer>.<event>`, read from the `orders` event
 * stream), each through its transactional outbox.
 */
export const ORDERS_EVENTS = {
  orderCreated: 'orders.order.created',
  orderUpdated: 'orders.order.updated',
  orderStatusChanged: 'orders.order.status_changed',
  orderCancelled: 'orders.order.cancelled',
  orderDeleted: 'orders.order.deleted',
  productChanged: 'orders.product.changed',
} as const;
export type OrdersEventPattern = (typeof ORDERS_EVENTS)[keyof typeof ORDERS_EVENTS];

/** Command patterns of the notifications service (`send`). */
export const NOTIFICATIONS_COMMANDS = {
  ping: 'notifications.ping',
  list: 'notifications.list',
  markRead: 'notifications.markRead',
  markAllRead: 'notifications.markAllRead',
  unreadCount: 'notifications.unreadCount',
  since: 'notifications.since',
} as const;
