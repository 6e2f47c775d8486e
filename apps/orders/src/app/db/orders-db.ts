import type { OutboxRow } from '@shop/messaging';
import type { OrderStatus } from '@shop/contracts';

/** Money columns are `bigint` in SQL: pg hands them back as strings, hence `number | string` on read. */
type Cents = number | string;

export interface ProductTable {
  sku: string;
  name: string;
  price_cents: Cents;
  /** 1/0: SQLite has no boolean. */
  active: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface OrderTable {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: Cents;
  tracking_note: string | null;
  /** The write-behind fencing token of the last persisted status/tracking write (0: none yet). */
  status_seq: Cents;
  paid_at: string | null;
  cancelled_at: string | null;
  /** The status the order was cancelled from (the boards subtract only paid orders). */
  cancelled_from: OrderStatus | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface OrderItemTable {
  order_id: string;
  line: number;
  sku: string;
  name: string;
  unit_price_cents: Cents;
  quantity: number;
}

export interface OrderIdempotencyTable {
  customer_id: string;
  idempotency_key: string;
  request_hash: string;
  order_id: string;
  created_at: string;
}

/** The orders service's database. */
export interface OrdersDb {
  product: ProductTable;
  orders: OrderTable;
  order_item: OrderItemTable;
  order_idempotency: OrderIdempotencyTable;
  outbox: OutboxRow;
}
