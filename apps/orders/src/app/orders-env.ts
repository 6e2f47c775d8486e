import { IsIn, IsOptional } from 'class-validator';
import { ServiceEnv } from '@shop/platform';

export const TEST_FAULTS = ['exit-after-commit'] as const;

/** The orders service's environment: the shared variables with this service's defaults. */
export class OrdersEnv extends ServiceEnv {
  override PORT = 3100;
  override DATABASE_URL = 'sqlite:./data/orders.sqlite';

  /**
   * Test-only fault point, honoured only with NODE_ENV=test: `exit-after-commit` SIGKILLs the process
   * right after an order create committed (before its reply, and this process never starts its outbox
   * relay), so a test can prove the event is still published once after a restart.
   */
  @IsOptional()
  @IsIn(TEST_FAULTS)
  ORDERS_TEST_FAULT?: (typeof TEST_FAULTS)[number];

  /** `off`: an order read by id goes to SQL, not the cache (the bench's baseline, diagnosis); writes still invalidate. */
  @IsIn(['on', 'off'])
  ORDERS_CACHE: 'on' | 'off' = 'on';

  /** `through`: status and tracking changes are persisted before the reply instead of write-behind. */
  @IsIn(['behind', 'through'])
  ORDERS_STATUS_WRITES: 'behind' | 'through' = 'behind';
}
