import { Module } from '@nestjs/common';
import { RedisConnections } from '@shop/redis';
import { RateLimiter } from './core/rate-limiter';
import {
  ConfigurableModuleClass,
  RATE_LIMIT_MODULE_OPTIONS,
  type RateLimitModuleOptions,
} from './rate-limit.module-definition';

/**
 * Provides one `RateLimiter` on the shared request-path connection of `RedisModule` (global).
 *
 * @example
 * RateLimitModule.forRoot({ policies: [{ name: 'api', limit: 600, window: '1m' },
 *   { name: 'login', limit: 5, window: '15m', mode: 'log', onRedisDown: 'fail-closed' }] })
 */
@Module({
  providers: [
    {
      provide: RateLimiter,
      inject: [RedisConnections, RATE_LIMIT_MODULE_OPTIONS],
      useFactory: (connections: RedisConnections, options: RateLimitModuleOptions) =>
        new RateLimiter({ ...options, connections }),
    },
  ],
  exports: [RateLimiter],
})
export class RateLimitModule extends ConfigurableModuleClass {}
