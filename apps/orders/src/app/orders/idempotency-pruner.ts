import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OrdersRepository } from './orders.repository';

const EVERY_MS = 60 * 60 * 1000;

/**
 * Bounds the idempotency table: keys older than 24 h are deleted hourly (a create also ignores an
 * expired key of its own, so correctness does not wait for this).
 */
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Orders');
  private timer?: NodeJS.Timeout;

  constructor(private readonly repo: OrdersRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.repo.pruneIdempotencyKeys().then(
        (n) => n > 0 && this.log.log({ msg: 'idempotency keys pruned', count: n }),
        (err: unknown) => this.log.warn({ msg: 'idempotency pruning failed', err: String(err) }),
      );
    }, EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
