import { ServiceEnv } from '@shop/platform';

/** The orders service's environment: the shared variables with this service's defaults. */
export class OrdersEnv extends ServiceEnv {
  override PORT = 3100;
  override DATABASE_URL = 'sqlite:./data/orders.sqlite';
}
