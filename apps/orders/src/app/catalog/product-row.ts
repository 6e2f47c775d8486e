import type { Product } from '@shop/contracts';
import type { Selectable } from 'kysely';
import type { ProductTable } from '../db/orders-db';

export const toProduct = (row: Selectable<ProductTable>): Product => ({
  sku: row.sku,
  name: row.name,
  price: Number(row.price_cents),
  active: Number(row.active) === 1,
  updatedAt: row.updated_at,
  version: row.version,
});
