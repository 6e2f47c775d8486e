import { Inject, Injectable } from '@nestjs/common';
import { APP_ENV } from '@shop/platform';
import type { OrdersEnv } from '../orders-env';

/** The test-only fault point of `ORDERS_TEST_FAULT`; inert unless NODE_ENV=test. */
@Injectable()
export class TestFaults {
  readonly exitAfterCommit: boolean;

  constructor(@Inject(APP_ENV) env: OrdersEnv) {
    this.exitAfterCommit = env.NODE_ENV === 'test' && env.ORDERS_TEST_FAULT === 'exit-after-commit';
  }

  /** Dies as a `kill -9` would: no shutdown hook, no reply, no relay round. */
  afterCommit(): void {
    if (this.exitAfterCommit) process.kill(process.pid, 'SIGKILL');
  }
}
