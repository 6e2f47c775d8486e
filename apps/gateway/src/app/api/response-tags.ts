/**
 * Tags of the gateway's HTTP response cache, one place for the routes that store entries and the
 * writes and events that invalidate them.
 */
export const RESPONSE_TAGS = {
  /** Every catalog response (list pages and single products): a product change drops them all. */
  catalog: 'http-catalog',
  /** The leaderboard responses (also short-lived: boards move with every paid order). */
  boards: 'http-boards',
  /** Every cached response showing this order (its owner's and admins' entries alike). */
  order: (id: string) => `http-order:${id}`,
  /** A customer's own order list pages. */
  ordersOf: (customerId: string) => `http-orders-of:${customerId}`,
  /** Admins' list pages of all orders. */
  allOrders: 'http-orders-all',
} as const;

/** What an order change invalidates: the order, its customer's lists and the admin lists. */
export function orderTags(orderId: string, customerId: string): string[] {
  return [RESPONSE_TAGS.order(orderId), RESPONSE_TAGS.ordersOf(customerId), RESPONSE_TAGS.allOrders];
}
