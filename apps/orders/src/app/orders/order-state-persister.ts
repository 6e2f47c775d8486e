import { Injectable, Logger } from '@nestjs/common';
import { Cache, type WriteBehindItem } from '@shop/cache';
import { ORDERS_EVENTS, type Order, type OrderStatus } from '@shop/contracts';
import { InjectDatabase } from '@shop/database';
import { insertOutboxEvent, newMessageId } from '@shop/messaging';
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import { OrdersMetrics } from '../common/orders-metrics';
import type { OrdersDb, OrderTable } from '../db/orders-db';
import { listTagsOf, orderKey } from './order-cache';
import { toOrder } from './order-row';
import { unseenSteps, type OrderState } from './order-state';

/**
 * Persists write-behind order states to SQL, each write fenced by the queue's sequence
 * (`status_seq < seq`), so a consumer paused mid-batch can never land an older state last. The steps
 * the row has not seen become events in the same transaction, in order, each with its own version.
 */
@Injectable()
export class OrderStatePersister {
  private readonly log = new Logger('OrderState');

  constructor(
    @InjectDatabase() private readonly db: Kysely<OrdersDb>,
    private readonly cache: Cache,
    private readonly metrics: OrdersMetrics,
  ) {}

  async persist(batch: Array<WriteBehindItem<OrderState>>): Promise<void> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const out: Order[] = [];
      for (const item of batch) {
        const order = await this.persistOne(trx, item.key, item.value, item.seq);
        if (order) out.push(order);
      }
      return out;
    });
    // After the commit: every instance drops what it cached of these orders and their lists.
    for (const order of changed) {
      await this.cache.delete(orderKey(order.id)).catch(() => undefined);
      await this.cache.invalidateTags(listTagsOf(order.customerId));
    }
  }

  /** Writes one state if it is newer than the row; resolves the order as committed, if it changed. */
  async persistOne(
    trx: Transaction<OrdersDb>,
    id: string,
    state: OrderState,
    seq: number,
  ): Promise<Order | undefined> {
    // Lock the row first (a write: SQLite's write lock, a PostgreSQL row lock), then read it: a read
    // first would make two writers' transactions deadlock on SQLite instead of taking turns.
    await trx
      .updateTable('orders')
      .set({ status_seq: sql`status_seq` })
      .where('id', '=', id)
      .execute();
    const row = await trx.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || Number(row.status_seq) >= seq) return undefined; // deleted, or a newer state landed
    const steps = unseenSteps(state, row.status);
    const noteChanged = state.note !== row.tracking_note;
    this.metrics.persisted.inc();
    if (steps.length === 0 && !noteChanged) {
      await trx
        .updateTable('orders')
        .set({ status_seq: seq })
        .where('id', '=', id)
        .where('status_seq', '<', seq)
        .execute();
      return undefined;
    }
    const last = steps.at(-1)?.at ?? new Date().toISOString();
    const paid = steps.find((s) => s.to === 'paid');
    const cancel = steps.find((s) => s.to === 'cancelled');
    const set: Updateable<OrderTable> = {
      status: state.status as OrderStatus,
      tracking_note: state.note,
      status_seq: seq,
      version: row.version + steps.length + (noteChanged ? 1 : 0),
      updated_at: last,
      ...(paid && { paid_at: paid.at }),
      ...(cancel && { cancelled_at: cancel.at, cancelled_from: cancel.from }),
    };
    await trx.updateTable('orders').set(set).where('id', '=', id).where('status_seq', '<', seq).execute();
    const items = await trx.selectFrom('order_item').selectAll().where('order_id', '=', id).execute();
    const order = toOrder({ ...row, ...set } as typeof row, items);
    let version = row.version;
    for (const step of steps) {
      version++;
      const eventId = newMessageId();
      await insertOutboxEvent(
        trx,
        step.to === 'cancelled' ? ORDERS_EVENTS.orderCancelled : ORDERS_EVENTS.orderStatusChanged,
        {
          eventId,
          orderId: id,
          customerId: row.customer_id,
          version,
          status: step.to,
          from: step.from,
          total: order.total,
          items: order.items,
          at: step.at,
        },
        'outbox',
        eventId,
      );
    }
    if (noteChanged) {
      const eventId = newMessageId();
      await insertOutboxEvent(
        trx,
        ORDERS_EVENTS.orderUpdated,
        {
          eventId,
          orderId: id,
          customerId: row.customer_id,
          version: version + 1,
          status: order.status,
          total: order.total,
          items: order.items,
          at: last,
          change: 'tracking',
          previousTotal: order.total,
        },
        'outbox',
        eventId,
      );
    }
    this.log.debug({ msg: 'order state persisted', orderId: id, seq, steps: steps.length });
    return order;
  }
}
