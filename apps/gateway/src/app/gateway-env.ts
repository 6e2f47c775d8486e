import { ServiceEnv } from '@shop/platform';

/** The gateway service's environment: the shared variables with this service's defaults. */
export class GatewayEnv extends ServiceEnv {
  override PORT = 3000;
  override DATABASE_URL = 'sqlite:./data/gateway.sqlite';
}
