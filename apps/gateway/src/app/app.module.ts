import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@shop/database';
import { APP_ENV, PlatformModule, redisOptionsFromEnv } from '@shop/platform';
import { RedisHealthIndicator, RedisModule } from '@shop/redis';
import { GatewayEnv } from './gateway-env';
import { serviceClients } from './service-clients';
import { SystemController } from './system.controller';
import { gatewayMigrations } from './migrations';

/** The gateway service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'gateway',
      env: GatewayEnv,
      readiness: [RedisHealthIndicator, DatabaseHealthIndicator],
    }),
    RedisModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: GatewayEnv) => redisOptionsFromEnv(env, 'gateway'),
    }),
    DatabaseModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: GatewayEnv) => ({
        url: env.DATABASE_URL,
        migrations: gatewayMigrations,
        // Own table per service, so services may share one database.
        migrationTable: 'gateway_migration',
      }),
    }),
  ],
  controllers: [SystemController],
  providers: [...serviceClients],
})
export class AppModule {}
