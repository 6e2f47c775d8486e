import { Injectable, Logger } from '@nestjs/common';
import { Cache } from '@shop/cache';
import {
  DEFAULT_PAGE_SIZE,
  ERROR_CODES,
  ORDER_ID_PATTERN,
  type CallerDto,
  type CreateOrderDto,
  type ListOrdersDto,
  type Order,
  type OrderDeleted,
  type Page,
  type UpdateOrderItemsDto,
} from '@shop/contracts';
import { DomainError } from '@shop/messaging';
import type { Updateable } from 'kysely';
import { createHash, randomUUID } from 'node:crypto';
import { isAdmin, requireAdmin } from '../common/caller';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { itemsNotEditable, notFound, versionConflict } from '../common/domain-errors';
import { OrdersMetrics } from '../common/orders-metrics';
import { TestFaults } from '../common/test-faults';
import type { OrderTable } from '../db/orders-db';
import {
  customerOrdersTag,
  ALL_ORDERS_TAG,
  listTagsOf,
  orderKey,
  orderPageKey,
  orderTag,
} from './order-cache';
import { orderEvents } from './order-events';
import { OrderPricing } from './order-pricing';
import { OrderReader } from './order-reader';
import { OrderStatusService } from './order-status.service';
import { OrdersRepository, type EventOf, type OrderGuard } from './orders.repository';

/**
 * Orders. Reads are read-through (a cache bound to the repository), tagged `order:<id>` and, for list
 * pages, `customer:<id>:orders`; writes are write-through (SQL commit with its outbox event, then the
 * cache set to the committed row) and invalidate the list tags on every instance. A customer can never
 * tell another customer's order from a missing one (`E_NOT_FOUND`).
 */
@Injectable()
export class OrdersService {
  private readonly log = new Logger('Orders');

  constructor(
    private readonly repo: OrdersRepository,
    private readonly pricing: OrderPricing,
    private readonly cache: Cache,
    private readonly metrics: OrdersMetrics,
    private readonly faults: TestFaults,
    private readonly status: OrderStatusService,
    private readonly reader: OrderReader,
  ) {}

  async create(dto: CreateOrderDto): Promise<Order> {
    const customerId = dto.caller.userId;
    const { lines, total } = await this.pricing.price(dto.items);
    const hash = createHash('sha256')
      .update(JSON.stringify(dto.items.map((i) => [i.sku, i.quantity])))
      .digest('base64url');
    const result = await this.repo.create(
      { customerId, key: dto.idempotencyKey, hash, lines, total },
      orderEvents.created(),
    );
    this.faults.afterCommit();
    if (result.kind === 'mismatch')
      throw new DomainError(
        ERROR_CODES.idempotencyMismatch,
        `idempotency key ${dto.idempotencyKey} was used for another request`,
        422,
      );
    if (result.kind === 'created') {
      this.metrics.created.inc();
      await this.invalidateLists(customerId);
    }
    return result.order;
  }

  async get(caller: CallerDto, id: string): Promise<Order> {
    const order = await this.reader.read(id);
    if (!isAdmin(caller) && order.customerId !== caller.userId) throw notFound('order', id);
    return order;
  }

  async list(dto: ListOrdersDto): Promise<Page<Order>> {
    const admin = isAdmin(dto.caller);
    const limit = dto.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor(dto.cursor, ORDER_ID_PATTERN);
    const scope = admin ? 'all' : `c.${dto.caller.userId}`;
    const tags = admin ? [ALL_ORDERS_TAG] : [customerOrdersTag(dto.caller.userId)];
    this.metrics.reads.inc({ path: 'order-list' });
    const page = await this.cache.getOrSet(
      orderPageKey(scope, dto.status, dto.cursor, limit),
      async () => {
        this.metrics.loads.inc({ path: 'order-list' });
        const rows = await this.repo.list({
          customerId: admin ? undefined : dto.caller.userId,
          status: dto.status,
          before,
          limit: limit + 1,
        });
        const items = rows.slice(0, limit);
        return rows.length > limit
          ? { items, nextCursor: encodeCursor(items[items.length - 1].id) }
          : { items };
      },
      { tags },
    );
    // Statuses accepted by write-behind and not yet persisted are newer than the cached page: shown as
    // they are now; under a status filter an order that has left it meanwhile is left out.
    const items = await this.status.overlayMany(page.items);
    return { ...page, items: dto.status ? items.filter((o) => o.status === dto.status) : items };
  }

  /** Write-through: replaces the lines of a pending order at `expectedVersion` (default: the version read). */
  async updateItems(dto: UpdateOrderItemsDto): Promise<Order> {
    const row = await this.current(dto.caller, dto.id);
    const expectedVersion = dto.expectedVersion ?? row.version;
    const { lines, total } = await this.pricing.price(dto.items);
    // The lease on the order's register is taken atomically against its current status (a payment
    // accepted by write-behind may not be in SQL yet) and keeps a payment out until this commit is done.
    // It checks the version only after the status: a stale version on an order that is no longer
    // pending is E_NOT_EDITABLE (no retry can apply), not a conflict to re-read and retry.
    const token = randomUUID();
    await this.status.lockItems(row, token, expectedVersion);
    try {
      return await this.write(
        dto.caller,
        row,
        { status: 'pending', version: expectedVersion },
        { total_cents: total },
        orderEvents.updated('items', row.total),
        lines,
      );
    } finally {
      await this.status.unlockItems(row, token).catch((err: unknown) =>
        this.log.warn({
          msg: 'item lease not released (expires by itself)',
          orderId: dto.id,
          err: String(err),
        }),
      );
    }
  }

  async delete(caller: CallerDto, id: string): Promise<OrderDeleted> {
    requireAdmin(caller, 'deleting an order');
    const order = await this.repo.delete(id, orderEvents.deleted());
    if (!order) throw notFound('order', id);
    try {
      await this.cache.delete(orderKey(id));
    } catch (err) {
      this.log.warn({ msg: 'deleted order still cached (cache Redis down)', orderId: id, err: String(err) });
    }
    await this.invalidateLists(order.customerId);
    return { deleted: true, customerId: order.customerId };
  }

  /** The order as committed (never the cache: a write decides on the row itself), if the caller may see it. */
  private async current(caller: CallerDto, id: string): Promise<Order> {
    const order = await this.repo.find(id);
    if (!order || (!isAdmin(caller) && order.customerId !== caller.userId)) throw notFound('order', id);
    return order;
  }

  /**
   * Commits a conditional change with its event, then sets the cache to the committed row (write-through:
   * never ahead of SQL) and invalidates the list pages. A guard that no longer holds is explained from
   * the row as it is now. (Status changes go through the register instead: OrderStatusService.)
   */
  private async write(
    caller: CallerDto,
    current: Order,
    guard: OrderGuard,
    set: Updateable<OrderTable>,
    eventOf: EventOf,
    lines?: Order['items'],
  ): Promise<Order> {
    const fullGuard: OrderGuard = { ...guard, ...(!isAdmin(caller) && { customerId: caller.userId }) };
    return this.cache.writeThroughResult(
      orderKey(current.id),
      async () => {
        const committed = await this.repo.change(current.id, fullGuard, set, eventOf, lines);
        if (!committed) throw await this.explain(caller, current, guard);
        return committed;
      },
      {
        tags: [orderTag(current.id)],
        alsoInvalidate: listTagsOf(current.customerId),
        // Two instances changing one order commit in one order and may cache in the other: if a newer
        // version committed meanwhile, drop the entry rather than leave this older row cached.
        stillCurrent: async (o) => (await this.repo.versionOf(o.id)) === o.version,
      },
    );
  }

  private async explain(caller: CallerDto, before: Order, guard: OrderGuard): Promise<DomainError> {
    const now = await this.repo.find(before.id);
    if (!now || (!isAdmin(caller) && now.customerId !== caller.userId)) return notFound('order', before.id);
    // The state first, as in the register step: a version conflict would invite a retry that cannot apply.
    if (guard.status === 'pending' && now.status !== 'pending')
      return itemsNotEditable(before.id, now.status);
    if (guard.version !== undefined && now.version !== guard.version)
      return versionConflict('order', before.id, guard.version, now.version);
    return new DomainError(
      ERROR_CODES.versionConflict,
      `order ${before.id} changed meanwhile: read it again`,
      409,
    );
  }

  private async invalidateLists(customerId: string): Promise<void> {
    if (!(await this.cache.invalidateTags(listTagsOf(customerId))))
      this.log.warn({ msg: 'order list invalidation not delivered (cache Redis down)', customerId });
  }
}
