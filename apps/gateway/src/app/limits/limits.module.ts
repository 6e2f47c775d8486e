import { Module } from '@nestjs/common';
import { APP_ENV } from '@shop/platform';
import { RateLimitModule } from '@shop/rate-limit';
import type { GatewayEnv } from '../gateway-env';
import { gatewayPolicies } from './gateway-policies';

/** One `RateLimiter` with the gateway's policies from the env. */
@Module({
  imports: [
    RateLimitModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: GatewayEnv) => ({ name: 'gateway', policies: gatewayPolicies(env) }),
    }),
  ],
})
export class LimitsModule {}
