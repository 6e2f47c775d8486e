import { Inject, Injectable } from '@nestjs/common';
import { Cache } from '@shop/cache';
import { ERROR_CODES, type CallerDto, type Order, type OrderStatus } from '@shop/contracts';
import { InjectDatabase } from '@shop/database';
import { DomainError } from '@shop/messaging';
import { APP_ENV } from '@shop/platform';
import type { Kysely } from 'kysely';
import { isAdmin, requireAdmin } from '../common/caller';
import { notFound } from '../common/domain-errors';
import { OrdersMetrics } from '../common/orders-metrics';
import type { OrdersDb } from '../db/orders-db';
import type { OrdersEnv } from '../orders-env';
import { listTagsOf, orderKey, orderTag } from './order-cache';
import { OrderStatePersister } from './order-state-persister';
import { OrderStatusQueue } from './order-status-queue';
import { OrderReader } from './order-reader';
import {
  checkVersion,
  stateOf,
  withCurrentState,
  withEditing,
  withNote,
  withoutEditing,
  withStatus,
  type OrderState,
} from './order-state';

/** How long an item update may hold its lease (a crashed holder blocks payment at most this long). */
const ITEMS_LEASE_MS = 5000;
import { OrdersRepository } from './orders.repository';

/**
 * Status and tracking changes. The high-rate ones (paid, shipped, delivered, tracking notes) are
 * **write-behind**: checked against the order's current state and accepted in one atomic Redis step
 * (`WriteBehindQueue.update`), readable at once on every instance, persisted to SQL later, coalesced per
 * order. Cancellation is **write-through** on the same register: the same atomic check, then this call
 * persists the state itself (fenced like any persist) and caches the committed row before answering.
 */
@Injectable()
export class OrderStatusService {
  constructor(
    private readonly repo: OrdersRepository,
    private readonly reader: OrderReader,
    private readonly metrics: OrdersMetrics,
    private readonly status: OrderStatusQueue,
    private readonly persister: OrderStatePersister,
    private readonly cache: Cache,
    @InjectDatabase() private readonly db: Kysely<OrdersDb>,
    @Inject(APP_ENV) env: OrdersEnv,
  ) {
    this.writeThrough = env.ORDERS_STATUS_WRITES === 'through';
  }

  /** `ORDERS_STATUS_WRITES=through`: every change is persisted before the reply (the bench's baseline). */
  private readonly writeThrough: boolean;

  /** The orders with their current status and note from the register (newer than SQL until persisted). */
  async overlayMany(orders: Order[]): Promise<Order[]> {
    const states = await this.status.queue.readMany(orders.map((o) => o.id));
    return orders.map((o, i) => withCurrentState(o, states[i]));
  }

  /** One step of the status machine: `paid` by its customer or an admin, the rest by admins; `cancelled` is write-through (`cancel`). */
  async changeStatus(
    caller: CallerDto,
    id: string,
    to: OrderStatus,
    expectedVersion?: number,
  ): Promise<Order> {
    if (to === 'cancelled') return this.cancel(caller, id, expectedVersion);
    // Customers pay their own pending orders (and cancel, above); every other step is the admins'.
    if (to !== 'paid') requireAdmin(caller, 'changing an order status');
    const row = await this.row(caller, id);
    const at = new Date().toISOString();
    const { value, seq } = await this.status.queue.update(id, (cur) => {
      const next = withStatus(cur?.value ?? stateOf(row), cur?.waiting ?? false, id, to, at);
      checkVersion(row, expectedVersion); // after the transition check: the state's refusal wins
      return next;
    });
    // The lines as committed now (an item update finishes before a payment is accepted): the reply and
    // the cached entry must show what was paid for, not a copy read before the check.
    return this.accepted(to === 'paid' ? ((await this.repo.find(id)) ?? row) : row, value, seq);
  }

  async setTracking(caller: CallerDto, id: string, note: string): Promise<Order> {
    requireAdmin(caller, 'setting a tracking note');
    const row = await this.row(caller, id);
    const { value, seq } = await this.status.queue.update(id, (cur) => {
      const base = cur?.value ?? stateOf(row);
      if (base.status !== 'paid' && base.status !== 'shipped')
        throw new DomainError(
          ERROR_CODES.notEditable,
          `order ${id} is ${base.status}: tracking notes are for paid or shipped orders`,
          409,
        );
      return withNote(base, cur?.waiting ?? false, note);
    });
    return this.accepted(row, value, seq);
  }

  /**
   * Takes the item-update lease on the register (atomic: only while pending, one at a time, no payment
   * meanwhile), then checks `expectedVersion` against `row`, so a paid or cancelled order is
   * `E_NOT_EDITABLE` whatever the version. `unlockItems` after the SQL write, whatever its outcome (a
   * refusal here takes nothing). A crashed holder's lease expires.
   */
  async lockItems(row: Order, token: string, expectedVersion?: number): Promise<void> {
    await this.status.queue.update(row.id, (cur) => {
      const next = withEditing(
        cur?.value ?? stateOf(row),
        cur?.waiting ?? false,
        row.id,
        token,
        Date.now(),
        ITEMS_LEASE_MS,
      );
      checkVersion(row, expectedVersion);
      return next;
    });
  }

  async unlockItems(row: Order, token: string): Promise<void> {
    await this.status.queue.update(row.id, (cur) =>
      withoutEditing(cur?.value ?? stateOf(row), cur?.waiting ?? false, token),
    );
  }

  /** Write-through: accepted on the register (atomic check), persisted and cached before the reply. */
  async cancel(caller: CallerDto, id: string, expectedVersion?: number): Promise<Order> {
    const row = await this.row(caller, id);
    const at = new Date().toISOString();
    const { value, seq } = await this.status.queue.update(id, (cur) => {
      const next = withStatus(cur?.value ?? stateOf(row), cur?.waiting ?? false, id, 'cancelled', at);
      checkVersion(row, expectedVersion); // after the transition check: the state's refusal wins
      return next;
    });
    this.metrics.accepted.inc();
    return this.persistNow(row, value, seq);
  }

  /**
   * After an accept: write-behind caches the order with its new state, so every instance's next read
   * (and the next change of this order) is a hit; if another instance accepted a newer state meanwhile,
   * the entry is dropped instead (`stillCurrent`), so the older one never stays. With
   * ORDERS_STATUS_WRITES=through the state is persisted now.
   */
  private async accepted(row: Order, value: OrderState, seq: number): Promise<Order> {
    this.metrics.accepted.inc();
    if (this.writeThrough) return this.persistNow(row, value, seq);
    return this.cache.writeThroughResult(orderKey(row.id), async () => withCurrentState(row, { value }), {
      tags: [orderTag(row.id)],
      // Dropped if a newer state was accepted meanwhile, or the order was deleted.
      stillCurrent: async () =>
        (await this.status.queue.read(row.id))?.seq === seq &&
        (await this.repo.versionOf(row.id)) !== undefined,
    });
  }

  /** Persists an accepted state now (fenced like any persist) and caches the committed row. */
  private persistNow(row: Order, value: OrderState, seq: number): Promise<Order> {
    return this.cache.writeThroughResult(
      orderKey(row.id),
      async () => {
        const committed = await this.db
          .transaction()
          .execute((trx) => this.persister.persistOne(trx, row.id, value, seq));
        // undefined: a newer state of this order already landed (its persist emitted the steps).
        return committed ?? ((await this.repo.find(row.id)) as Order);
      },
      {
        tags: [orderTag(row.id)],
        alsoInvalidate: listTagsOf(row.customerId),
        // Dropped if a newer version committed or a newer state was accepted meanwhile.
        stillCurrent: async (o) =>
          (await this.repo.versionOf(o.id)) === o.version &&
          (await this.status.queue.read(o.id))?.seq === seq,
      },
    );
  }

  /**
   * The order as it is now, if the caller may see it. Its `expectedVersion` is checked in the register
   * step, after the state's checks (`checkVersion`), not here.
   */
  private async row(caller: CallerDto, id: string): Promise<Order> {
    // Through the cache: its entry is the row with the register's state (see OrderReader); the decision
    // itself is the register's compare-and-set, and the SQL write is fenced by the sequence.
    const order = await this.reader.find(id);
    if (!order || (!isAdmin(caller) && order.customerId !== caller.userId)) throw notFound('order', id);
    return order;
  }
}
