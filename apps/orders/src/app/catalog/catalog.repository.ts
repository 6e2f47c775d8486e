import { Injectable } from '@nestjs/common';
import { ORDERS_EVENTS, type Product, type ProductChangedEvent } from '@shop/contracts';
import { InjectDatabase } from '@shop/database';
import { insertOutboxEvent, newMessageId } from '@shop/messaging';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { OrdersDb, ProductTable } from '../db/orders-db';
import { toProduct } from './product-row';

export interface ProductChange {
  name?: string;
  price?: number;
  active?: boolean;
}

/** SQL for the catalog. Every write commits its `orders.product.changed` event in the same transaction. */
@Injectable()
export class CatalogRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<OrdersDb>) {}

  async find(sku: string): Promise<Product | undefined> {
    const row = await this.db.selectFrom('product').selectAll().where('sku', '=', sku).executeTakeFirst();
    return row && toProduct(row);
  }

  /** Active products (or all) by sku, after `after`; one more than `limit` tells whether a page follows. */
  async list(options: { activeOnly: boolean; after?: string; limit: number }): Promise<Product[]> {
    let q = this.db.selectFrom('product').selectAll().orderBy('sku').limit(options.limit);
    if (options.activeOnly) q = q.where('active', '=', 1);
    if (options.after !== undefined) q = q.where('sku', '>', options.after);
    return (await q.execute()).map(toProduct);
  }

  /** The listed skus' products (any state), for pricing an order. */
  async findMany(skus: string[], trx: Kysely<OrdersDb> = this.db): Promise<Map<string, Product>> {
    if (skus.length === 0) return new Map();
    const rows = await trx.selectFrom('product').selectAll().where('sku', 'in', skus).execute();
    return new Map(rows.map((r) => [r.sku, toProduct(r)]));
  }

  /** Inserts unless the sku exists; resolves undefined when it did. */
  async create(
    p: { sku: string; name: string; price: number },
    now = new Date(),
  ): Promise<Product | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      const inserted = await trx
        .insertInto('product')
        .values(newProductRow(p, at))
        .onConflict((oc) => oc.column('sku').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!inserted) return undefined;
      const product = toProduct(inserted);
      await this.emit(trx, product, 'created', at);
      return product;
    });
  }

  /**
   * Applies `change` if the product is at `expectedVersion` (when given): resolves the new product,
   * `undefined` for an unknown sku, or `{ conflict }` with the current version.
   */
  async update(
    sku: string,
    change: ProductChange,
    expectedVersion: number | undefined,
    kind: ProductChangedEvent['change'],
    now = new Date(),
  ): Promise<Product | { conflict: number } | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      let q = trx
        .updateTable('product')
        .set((eb) => ({
          ...(change.name !== undefined && { name: change.name }),
          ...(change.price !== undefined && { price_cents: change.price }),
          ...(change.active !== undefined && { active: change.active ? 1 : 0 }),
          updated_at: at,
          version: eb('version', '+', 1),
        }))
        .where('sku', '=', sku);
      if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
      const row = await q.returningAll().executeTakeFirst();
      if (!row) {
        const current = await trx
          .selectFrom('product')
          .select('version')
          .where('sku', '=', sku)
          .executeTakeFirst();
        return current ? { conflict: current.version } : undefined;
      }
      const product = toProduct(row);
      await this.emit(trx, product, kind, at);
      return product;
    });
  }

  /** Seeds the demo catalog once; concurrent first starts insert each sku once. Resolves rows added. */
  async seed(products: { sku: string; name: string; price: number }[], now = new Date()): Promise<number> {
    const at = now.toISOString();
    const rows = await this.db
      .insertInto('product')
      .values(products.map((p) => newProductRow(p, at)))
      .onConflict((oc) => oc.column('sku').doNothing())
      .returning('sku')
      .execute();
    return rows.length;
  }

  async isEmpty(): Promise<boolean> {
    return !(await this.db.selectFrom('product').select('sku').limit(1).executeTakeFirst());
  }

  private async emit(
    trx: Transaction<OrdersDb>,
    product: Product,
    change: ProductChangedEvent['change'],
    at: string,
  ): Promise<void> {
    const eventId = newMessageId();
    const event: ProductChangedEvent = {
      eventId,
      sku: product.sku,
      version: product.version,
      change,
      product,
      at,
    };
    await insertOutboxEvent(trx, ORDERS_EVENTS.productChanged, event, 'outbox', eventId);
  }
}

/** A new product's row: active, version 1, created and updated at `at`. */
function newProductRow(
  p: { sku: string; name: string; price: number },
  at: string,
): Insertable<ProductTable> {
  return {
    sku: p.sku,
    name: p.name,
    price_cents: p.price,
    active: 1,
    created_at: at,
    updated_at: at,
    version: 1,
  };
}
