import { Inject, Injectable } from '@nestjs/common';
import { Cache } from '@shop/cache';
import type { Order } from '@shop/contracts';
import { APP_ENV } from '@shop/platform';
import { notFound } from '../common/domain-errors';
import { OrdersMetrics } from '../common/orders-metrics';
import type { OrdersEnv } from '../orders-env';
import { orderKey } from './order-cache';
import { withCurrentState } from './order-state';
import { OrderStatusQueue } from './order-status-queue';
import { OrdersRepository } from './orders.repository';

/**
 * Read-through of one order: a cache bound to a loader that reads the row and lays the write-behind
 * register's status and note over it, so the cached entry is the order as it is now and a hit costs no
 * Redis call. Every accepted change drops the entry (and every persist), so the next read reloads.
 * Misses throw `E_NOT_FOUND` and are not cached (probing random ids fills nothing).
 * `ORDERS_CACHE=off` reads SQL every time (the bench's baseline).
 */
@Injectable()
export class OrderReader {
  private readonly cached: (key: string) => Promise<Order>;

  constructor(
    repo: OrdersRepository,
    cache: Cache,
    private readonly metrics: OrdersMetrics,
    status: OrderStatusQueue,
    @Inject(APP_ENV) env: OrdersEnv,
  ) {
    const load = async (key: string): Promise<Order> => {
      metrics.loads.inc({ path: 'order' });
      const id = key.slice('order:'.length);
      const order = await repo.find(id);
      if (!order) throw notFound('order', id);
      return withCurrentState(order, await status.queue.read(id));
    };
    this.cached = env.ORDERS_CACHE === 'off' ? load : cache.readThrough(load);
  }

  /** The order as it is now; `E_NOT_FOUND` if it does not exist. */
  read(id: string): Promise<Order> {
    this.metrics.reads.inc({ path: 'order' });
    return this.cached(orderKey(id));
  }

  /** `read`, or undefined when it does not exist. */
  async find(id: string): Promise<Order | undefined> {
    try {
      return await this.read(id);
    } catch (err) {
      if ((err as { code?: string }).code === 'E_NOT_FOUND') return undefined;
      throw err;
    }
  }
}
