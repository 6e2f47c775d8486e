import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { RedisConnections } from './redis-connections';
import { RedisHealthIndicator } from './redis.health-indicator';
import { ConfigurableModuleClass } from './redis.module-definition';
import { REDIS_CACHE_CLIENT, REDIS_CLIENT } from './redis.tokens';

/**
 * Provides `RedisConnections`, the shared clients (`REDIS_CLIENT`, `REDIS_CACHE_CLIENT`) and a health
 * indicator. Global by default: one set of connections per process.
 *
 * @example
 * RedisModule.forRootAsync({ inject: [APP_ENV], useFactory: (env: Env) => ({ url: env.REDIS_URL }) })
 */
@Module({
  imports: [TerminusModule],
  providers: [
    RedisConnections,
    RedisHealthIndicator,
    {
      provide: REDIS_CLIENT,
      inject: [RedisConnections],
      useFactory: (c: RedisConnections) => c.shared('data'),
    },
    {
      provide: REDIS_CACHE_CLIENT,
      inject: [RedisConnections],
      useFactory: (c: RedisConnections) => c.shared('cache'),
    },
  ],
  exports: [RedisConnections, RedisHealthIndicator, REDIS_CLIENT, REDIS_CACHE_CLIENT],
})
export class RedisModule extends ConfigurableModuleClass {}
