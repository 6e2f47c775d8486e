import { Injectable } from '@nestjs/common';
import { IDEMPOTENCY_TTL_MS, type Order, type OrderLine, type OrderStatus } from '@shop/contracts';
import { InjectDatabase } from '@shop/database';
import { insertOutboxEvent, newMessageId } from '@shop/messaging';
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { groupBy } from '../common/group-by';
import { newOrderId } from '../common/order-id';
import type { OrderItemTable, OrdersDb, OrderTable } from '../db/orders-db';
import { toOrder } from './order-row';

/** What must still hold for a conditional write to apply. */
export interface OrderGuard {
  customerId?: string;
  status?: OrderStatus;
  version?: number;
}

/** An event to commit with a change, built from the order as committed. */
export type EventOf = (order: Order, eventId: string) => { pattern: string; payload: object };

export type CreateResult =
  { kind: 'created'; order: Order } | { kind: 'replayed'; order: Order } | { kind: 'mismatch' };

/**
 * SQL for orders. Every write is one transaction holding the change and its outbox event; each starts
 * with its write statement, so on SQLite the transaction takes the write lock first (a read-then-write
 * transaction of two processes fails with SQLITE_BUSY instead of waiting its turn).
 */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDatabase() private readonly db: Kysely<OrdersDb>) {}

  async find(id: string, trx: Kysely<OrdersDb> = this.db): Promise<Order | undefined> {
    const row = await trx.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const items = await trx.selectFrom('order_item').selectAll().where('order_id', '=', id).execute();
    return toOrder(row, items);
  }

  /** The row's current version, or undefined when it is gone (one primary-key read). */
  async versionOf(id: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('orders').select('version').where('id', '=', id).executeTakeFirst();
    return row?.version;
  }

  /** Newest first (ids are time-ordered); `limit` rows before `before`. */
  async list(q: {
    customerId?: string;
    status?: OrderStatus;
    before?: string;
    limit: number;
  }): Promise<Order[]> {
    let query = this.db.selectFrom('orders').selectAll().orderBy('id', 'desc').limit(q.limit);
    if (q.customerId !== undefined) query = query.where('customer_id', '=', q.customerId);
    if (q.status !== undefined) query = query.where('status', '=', q.status);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    const rows = await query.execute();
    const items = await this.itemsOf(rows);
    return rows.map((r) => toOrder(r, items.get(r.id) ?? []));
  }

  /** The lines of several orders in one query, by order id. */
  private async itemsOf(rows: Array<{ id: string }>): Promise<Map<string, Selectable<OrderItemTable>[]>> {
    if (rows.length === 0) return new Map();
    const items = await this.db
      .selectFrom('order_item')
      .selectAll()
      .where(
        'order_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return groupBy(items, (i) => i.order_id);
  }

  /**
   * Creates the order unless the customer's idempotency key is taken: then the same request hash
   * replays the order it created, another one is a mismatch. The key row is written first: on
   * PostgreSQL a concurrent create with the same key waits for this transaction and then sees its row;
   * on SQLite the write lock serialises them. A key older than 24 h is forgotten first.
   */
  async create(
    input: { customerId: string; key: string; hash: string; lines: OrderLine[]; total: number },
    eventOf: EventOf,
    now = new Date(),
  ): Promise<CreateResult> {
    return this.db.transaction().execute(async (trx) => {
      const at = now.toISOString();
      await trx
        .deleteFrom('order_idempotency')
        .where('customer_id', '=', input.customerId)
        .where('idempotency_key', '=', input.key)
        .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString())
        .execute();
      const id = newOrderId(now.getTime());
      const claimed = await trx
        .insertInto('order_idempotency')
        .values({
          customer_id: input.customerId,
          idempotency_key: input.key,
          request_hash: input.hash,
          order_id: id,
          created_at: at,
        })
        .onConflict((oc) => oc.columns(['customer_id', 'idempotency_key']).doNothing())
        .returning('order_id')
        .executeTakeFirst();
      if (!claimed) {
        const prior = await trx
          .selectFrom('order_idempotency')
          .selectAll()
          .where('customer_id', '=', input.customerId)
          .where('idempotency_key', '=', input.key)
          .executeTakeFirstOrThrow();
        if (prior.request_hash !== input.hash) return { kind: 'mismatch' };
        const order = await this.find(prior.order_id, trx);
        // The order was deleted by an admin since: the key stays spent rather than creating it again.
        return order ? { kind: 'replayed', order } : { kind: 'mismatch' };
      }
      const row: Insertable<OrderTable> = {
        id,
        customer_id: input.customerId,
        status: 'pending',
        total_cents: input.total,
        tracking_note: null,
        status_seq: 0,
        paid_at: null,
        cancelled_at: null,
        cancelled_from: null,
        version: 1,
        created_at: at,
        updated_at: at,
      };
      await trx.insertInto('orders').values(row).execute();
      await this.insertLines(trx, id, input.lines);
      const order = (await this.find(id, trx)) as Order;
      await this.emit(trx, order, eventOf);
      return { kind: 'created', order };
    });
  }

  /**
   * Applies `set` (and new lines) if `guard` still holds, bumping the version, and commits the event
   * built from the result. Resolves the committed order, or `undefined` when the guard failed.
   */
  async change(
    id: string,
    guard: OrderGuard,
    set: Updateable<OrderTable>,
    eventOf: EventOf,
    lines?: OrderLine[],
    now = new Date(),
  ): Promise<Order | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx
        .updateTable('orders')
        .set((eb) => ({ ...set, version: eb('version', '+', 1), updated_at: now.toISOString() }))
        .where('id', '=', id);
      if (guard.customerId !== undefined) q = q.where('customer_id', '=', guard.customerId);
      if (guard.status !== undefined) q = q.where('status', '=', guard.status);
      if (guard.version !== undefined) q = q.where('version', '=', guard.version);
      const updated = await q.returning('id').executeTakeFirst();
      if (!updated) return undefined;
      if (lines) {
        await trx.deleteFrom('order_item').where('order_id', '=', id).execute();
        await this.insertLines(trx, id, lines);
      }
      const order = (await this.find(id, trx)) as Order;
      await this.emit(trx, order, eventOf);
      return order;
    });
  }

  /** Deletes the order with its lines and commits the event; `undefined` if it did not exist. */
  async delete(id: string, eventOf: EventOf): Promise<Order | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.deleteFrom('orders').where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) return undefined;
      const items = await trx.selectFrom('order_item').selectAll().where('order_id', '=', id).execute();
      await trx.deleteFrom('order_item').where('order_id', '=', id).execute();
      const order = toOrder(row, items);
      await this.emit(trx, order, eventOf);
      return order;
    });
  }

  /** Forgets idempotency keys older than 24 h; resolves how many. */
  async pruneIdempotencyKeys(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - IDEMPOTENCY_TTL_MS).toISOString();
    const res = await this.db
      .deleteFrom('order_idempotency')
      .where('created_at', '<', cutoff)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Orders that count on the boards (paid at some point), oldest change first, for a rebuild. */
  async *paidHistory(
    batch = 500,
  ): AsyncGenerator<Selectable<OrderTable> & { items: Selectable<OrderItemTable>[] }> {
    let after = '';
    for (;;) {
      const rows = await this.db
        .selectFrom('orders')
        .selectAll()
        .where('paid_at', 'is not', null)
        .where('id', '>', after)
        .orderBy('id')
        .limit(batch)
        .execute();
      if (rows.length === 0) return;
      const items = await this.itemsOf(rows);
      for (const r of rows) yield { ...r, items: items.get(r.id) ?? [] };
      after = rows[rows.length - 1].id;
    }
  }

  private async insertLines(trx: Transaction<OrdersDb>, orderId: string, lines: OrderLine[]): Promise<void> {
    await trx
      .insertInto('order_item')
      .values(
        lines.map((l, line) => ({
          order_id: orderId,
          line,
          sku: l.sku,
          name: l.name,
          unit_price_cents: l.unitPrice,
          quantity: l.quantity,
        })),
      )
      .execute();
  }

  private async emit(trx: Transaction<OrdersDb>, order: Order, eventOf: EventOf): Promise<void> {
    const eventId = newMessageId();
    const { pattern, payload } = eventOf(order, eventId);
    await insertOutboxEvent(trx, pattern, payload, 'outbox', eventId);
  }
}
