import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { WriteBehindQueue } from '@shop/cache';
import { APP_ENV } from '@shop/platform';
import { RedisConnections } from '@shop/redis';
import type { OrdersEnv } from '../orders-env';
import { OrderStatePersister } from './order-state-persister';
import type { OrderState } from './order-state';

/** How long an order's state stays readable and comparable in Redis after its last change. */
const RETAIN_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The write-behind register of order states (status + tracking note), one key per order: changes are
 * accepted into Redis after an atomic check against the current state (`update`), readable at once
 * by every instance (`read`), and persisted to SQL by this service's consumer group, coalesced per
 * order. Every instance consumes; a killed one's batch is taken over (nothing accepted is lost).
 */
@Injectable()
export class OrderStatusQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly queue: WriteBehindQueue<OrderState>;

  constructor(
    connections: RedisConnections,
    @Inject(APP_ENV) env: OrdersEnv,
    persister: OrderStatePersister,
  ) {
    this.queue = new WriteBehindQueue<OrderState>({
      connections,
      name: 'order-status',
      instanceId: env.INSTANCE_ID,
      retainMs: RETAIN_MS,
      blockMs: 50,
      // Status and tracking changes of a busy order come in bursts: persisting what a window collected
      // makes one SQL write (and one outbox event, one cache drop) of its latest state instead of one
      // per change. Readers see every change at once in the register; SQL lags by at most this much.
      flushIntervalMs: 1000,
      // A batch cut off at shutdown stays pending and is taken over, fenced by its sequence: nothing lost.
      drainTimeoutMs: Math.min(1000, env.SHUTDOWN_TIMEOUT_MS / 4),
      persist: (batch) => persister.persist(batch),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.queue.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.stop();
  }
}
