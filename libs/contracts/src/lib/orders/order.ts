import type { OrderStatus } from './order-rules';

/** One line of an order: `name` and `unitPrice` (cents) copied from the catalog when ordered. */
export interface OrderLine {
  sku: string;
  name: string;
  unitPrice: number;
  quantity: number;
}

/** An order as services answer it; money in integer cents, times ISO 8601. */
export interface Order {
  id: string;
  customerId: string;
  items: OrderLine[];
  total: number;
  status: OrderStatus;
  trackingNote?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}
