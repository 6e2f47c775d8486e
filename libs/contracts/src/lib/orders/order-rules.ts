export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The status machine: `pending -> paid -> shipped -> delivered`, `cancelled` from `pending` or `paid`. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 1000;
export const MAX_ORDER_LINES = 100;
export const MAX_TRACKING_NOTE = 500;
/** Order ids: `ord_` + 26 base32 characters (time-ordered). */
export const ORDER_ID_PATTERN = /^ord_[0-9a-z]{26}$/;
/** Idempotency keys as clients send them (`Idempotency-Key` header). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
/** How long an idempotency key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
