import type { OrderStatus } from '@shop/contracts';

/** Cache keys and tags of orders (see the orders README: every change invalidates these tags). */
export const orderKey = (id: string): string => `order:${id}`;
export const orderTag = (id: string): string => `order:${id}`;
export const customerOrdersTag = (customerId: string): string => `customer:${customerId}:orders`;
/** Admin lists span every customer: any order change invalidates them. */
export const ALL_ORDERS_TAG = 'orders:all';
export const orderPageKey = (
  scope: string,
  status: OrderStatus | undefined,
  cursor: string | undefined,
  limit: number,
): string => `orders:${scope}:${status ?? 'any'}:${cursor ?? 'first'}:${limit}`;
/** What a change of one order makes stale, besides its own entry. */
export const listTagsOf = (customerId: string): string[] => [customerOrdersTag(customerId), ALL_ORDERS_TAG];
