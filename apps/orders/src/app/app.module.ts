import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@shop/database';
import { APP_ENV, PlatformModule, redisOptionsFromEnv, streamsServerProvider } from '@shop/platform';
import { RedisHealthIndicator, RedisModule } from '@shop/redis';
import { OrdersEnv } from './orders-env';
import { SystemController } from './system.controller';
import { ordersMigrations } from './migrations';

/** The orders service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'orders',
      env: OrdersEnv,
      readiness: [RedisHealthIndicator, DatabaseHealthIndicator],
    }),
    RedisModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: OrdersEnv) => redisOptionsFromEnv(env, 'orders'),
    }),
    DatabaseModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: OrdersEnv) => ({
        url: env.DATABASE_URL,
        migrations: ordersMigrations,
        // Own table per service, so services may share one database.
        migrationTable: 'orders_migration',
      }),
    }),
  ],
  controllers: [SystemController],
  providers: [streamsServerProvider()],
})
export class AppModule {}
