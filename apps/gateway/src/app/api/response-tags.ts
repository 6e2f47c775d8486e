import { SKU_PATTERN } from '@shop/contracts';

/**
 * Tags of the gateway's HTTP response cache, one place for the routes that store entries and the
 * writes and events that invalidate them.
 */
export const RESPONSE_TAGS = {
  /** Every catalog response (pages and products): dropped at once when an event names no product. */
  catalog: 'http-catalog',
  /** The catalog's list pages: any product change may move, add or drop a row. */
  catalogPages: 'http-catalog-pages',
  /** One product's own responses (`GET /api/products/:sku`). */
  product: (sku: string) => `http-product:${sku}`,
  /** The leaderboard responses (also short-lived: boards move with every paid order). */
  boards: 'http-boards',
  /** Every cached response showing this order (its owner's and admins' entries alike). */
  order: (id: string) => `http-order:${id}`,
  /** A customer's own order list pages. */
  ordersOf: (customerId: string) => `http-orders-of:${customerId}`,
  /** Admins' list pages of all orders. */
  allOrders: 'http-orders-all',
} as const;

/**
 * What a change of product `sku` invalidates: its own responses and the list pages, not the other
 * products' (a price change of one product leaves every other product's entry a HIT). A sku that is not
 * one (a malformed event) drops the whole catalog instead.
 */
export function productTags(sku: unknown): string[] {
  return typeof sku === 'string' && SKU_PATTERN.test(sku)
    ? [RESPONSE_TAGS.product(sku), RESPONSE_TAGS.catalogPages]
    : [RESPONSE_TAGS.catalog];
}

/** What an order change invalidates: the order, its customer's lists and the admin lists. */
export function orderTags(orderId: string, customerId: string): string[] {
  return [RESPONSE_TAGS.order(orderId), RESPONSE_TAGS.ordersOf(customerId), RESPONSE_TAGS.allOrders];
}
