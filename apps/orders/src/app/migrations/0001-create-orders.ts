import type { Kysely, Migration } from 'kysely';

/**
 * The catalog, orders with their lines, and idempotency keys. Money in integer cents (`bigint`: an
 * order of 100 lines x 1000 x 10,000,000 cents overflows 32 bits). Pre-release: this migration was
 * rewritten with the domain; a local `data/orders.sqlite` from an earlier build must be deleted.
 */
export const createOrders: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('product')
      .addColumn('sku', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('price_cents', 'bigint', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .createTable('orders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('total_cents', 'bigint', (c) => c.notNull())
      .addColumn('tracking_note', 'text')
      .addColumn('status_seq', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('paid_at', 'text')
      .addColumn('cancelled_at', 'text')
      .addColumn('cancelled_from', 'text')
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // Lists: a customer's orders newest first (ids are time-ordered), optionally by status.
    await db.schema.createIndex('orders_customer').on('orders').columns(['customer_id', 'id']).execute();
    await db.schema.createIndex('orders_status').on('orders').columns(['status', 'id']).execute();
    await db.schema
      .createTable('order_item')
      .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id').onDelete('cascade'))
      .addColumn('line', 'integer', (c) => c.notNull())
      .addColumn('sku', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('unit_price_cents', 'bigint', (c) => c.notNull())
      .addColumn('quantity', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('order_item_pk', ['order_id', 'line'])
      .execute();
    // One row per (customer, key): the primary key is what makes 20 concurrent creates one order.
    await db.schema
      .createTable('order_idempotency')
      .addColumn('customer_id', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('order_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('order_idempotency_pk', ['customer_id', 'idempotency_key'])
      .execute();
    await db.schema
      .createIndex('order_idempotency_created')
      .on('order_idempotency')
      .column('created_at')
      .execute();
  },
};
