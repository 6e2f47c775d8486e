import { Module } from '@nestjs/common';
import { APP_ENV } from '@shop/platform';
import { RateLimitModule } from '@shop/rate-limit';
import type { GatewayEnv } from '../gateway-env';
import { ApiRateLimit } from './api-rate-limit';
import { gatewayPolicies } from './gateway-policies';

/** One `RateLimiter` with the gateway's policies from the env, and the `api` policy's shared use of it. */
@Module({
  imports: [
    RateLimitModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: GatewayEnv) => ({ name: 'gateway', policies: gatewayPolicies(env) }),
    }),
  ],
  providers: [ApiRateLimit],
  exports: [ApiRateLimit],
})
export class LimitsModule {}
