import type { Order, OrderLine } from '@shop/contracts';
import type { Selectable } from 'kysely';
import type { OrderItemTable, OrderTable } from '../db/orders-db';

export const toLine = (row: Selectable<OrderItemTable>): OrderLine => ({
  sku: row.sku,
  name: row.name,
  unitPrice: Number(row.unit_price_cents),
  quantity: row.quantity,
});

export function toOrder(row: Selectable<OrderTable>, items: Selectable<OrderItemTable>[]): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    items: [...items].sort((a, b) => a.line - b.line).map(toLine),
    total: Number(row.total_cents),
    status: row.status,
    ...(row.tracking_note !== null && { trackingNote: row.tracking_note }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
