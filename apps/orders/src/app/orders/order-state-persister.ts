import { Injectable, Logger } from '@nestjs/common';
import { Cache, type WriteBehindItem } from '@shop/cache';
import { ORDERS_EVENTS, type Order, type OrderStatus } from '@shop/contracts';
import { InjectDatabase } from '@shop/database';
import { insertOutboxEvent, newMessageId } from '@shop/messaging';
import { CodedError } from '@shop/util';
import { sql, type Kysely, type Transaction, type Updateable } from 'kysely';
import { OrdersMetrics } from '../common/orders-metrics';
import type { OrdersDb, OrderTable } from '../db/orders-db';
import { listTagsOf, orderKey } from './order-cache';
import { toOrder } from './order-row';
import { unseenSteps, type OrderState } from './order-state';

type PersistOutcome =
  { kind: 'changed'; order: Order } | { kind: 'landed'; customerId: string } | { kind: 'skipped' };

/**
 * Thrown by `persist` when the states are committed but the order caches could not be told (the cache
 * Redis unreachable or timing out): the batch is not done, so it stays pending and is redelivered.
 */
export class OrderCacheNotInvalidatedError extends CodedError<'E_ORDER_CACHE_NOT_INVALIDATED'> {
  constructor(orderIds: string[], reason: string) {
    const shown =
      orderIds.slice(0, 5).join(', ') + (orderIds.length > 5 ? ` and ${orderIds.length - 5} more` : '');
    super(
      'E_ORDER_CACHE_NOT_INVALIDATED',
      `order states persisted but their cache entries not invalidated (${reason}): ${shown}`,
    );
  }
}

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

  /**
   * Persists a batch in one transaction, then drops what every instance cached of the orders it changed
   * and of their lists. A drop that did not reach Redis fails the batch (`OrderCacheNotInvalidatedError`)
   * although SQL has it: acked, the change would be served stale everywhere for the entries' TTL. The
   * redelivery finds each state already in its row and invalidates again.
   */
  async persist(batch: Array<WriteBehindItem<OrderState>>): Promise<void> {
    const touched = await this.db.transaction().execute(async (trx) => {
      const out: Array<{ id: string; customerId: string }> = [];
      for (const item of batch) {
        const outcome = await this.apply(trx, item.key, item.value, item.seq);
        if (outcome.kind === 'changed')
          out.push({ id: outcome.order.id, customerId: outcome.order.customerId });
        else if (outcome.kind === 'landed') out.push({ id: item.key, customerId: outcome.customerId });
      }
      return out;
    });
    await this.invalidate(touched);
  }

  /** Writes one state if it is newer than the row; resolves the order as committed, if it changed. */
  async persistOne(
    trx: Transaction<OrdersDb>,
    id: string,
    state: OrderState,
    seq: number,
  ): Promise<Order | undefined> {
    const outcome = await this.apply(trx, id, state, seq);
    return outcome.kind === 'changed' ? outcome.order : undefined;
  }

  /**
   * After the commit, on every instance: the orders' own entries (cached with their state before it
   * was persisted, so at the old version) and their list pages. All at once, so a cache Redis that times
   * out costs one command timeout per batch, not one per order.
   */
  private async invalidate(orders: Array<{ id: string; customerId: string }>): Promise<void> {
    if (orders.length === 0) return;
    const [deletes, bumped] = await Promise.all([
      Promise.allSettled(orders.map((o) => this.cache.delete(orderKey(o.id)))),
      this.cache.invalidateTags([...new Set(orders.flatMap((o) => listTagsOf(o.customerId)))]),
    ]);
    const undeleted = orders.filter((_, i) => deletes[i]?.status === 'rejected').map((o) => o.id);
    if (bumped && undeleted.length === 0) return;
    throw new OrderCacheNotInvalidatedError(
      bumped ? undeleted : orders.map((o) => o.id),
      bumped ? 'order entries not deleted' : 'list tags not bumped',
    );
  }

  /**
   * Writes one state if it is newer than the row. `landed`: the row already holds this very state (an
   * earlier delivery committed it; its invalidation may not have reached Redis, so it is repeated; also
   * after a write-through `persistNow`, which costs one extra miss). `skipped`: the order is gone, a
   * newer state landed (its own persist invalidates), or the state changes nothing.
   */
  private async apply(
    trx: Transaction<OrdersDb>,
    id: string,
    state: OrderState,
    seq: number,
  ): Promise<PersistOutcome> {
    // Lock the row first (a write: SQLite's write lock, a PostgreSQL row lock), then read it: a read
    // first would make two writers' transactions deadlock on SQLite instead of taking turns.
    await trx
      .updateTable('orders')
      .set({ status_seq: sql`status_seq` })
      .where('id', '=', id)
      .execute();
    const row = await trx.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || Number(row.status_seq) > seq) return { kind: 'skipped' }; // deleted, or a newer state landed
    if (Number(row.status_seq) === seq) return { kind: 'landed', customerId: row.customer_id };
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
      return { kind: 'skipped' };
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
    return { kind: 'changed', order };
  }
}
