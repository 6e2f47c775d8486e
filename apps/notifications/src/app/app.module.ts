import { Module } from '@nestjs/common';
import { DatabaseHealthIndicator, DatabaseModule } from '@shop/database';
import { APP_ENV, PlatformModule, redisOptionsFromEnv, streamsServerProvider } from '@shop/platform';
import { RedisHealthIndicator, RedisModule } from '@shop/redis';
import { NotificationsEnv } from './notifications-env';
import { SystemController } from './system.controller';
import { notificationsMigrations } from './migrations';

/** The notifications service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [
    PlatformModule.forRoot({
      service: 'notifications',
      env: NotificationsEnv,
      readiness: [RedisHealthIndicator, DatabaseHealthIndicator],
    }),
    RedisModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: NotificationsEnv) => redisOptionsFromEnv(env, 'notifications'),
    }),
    DatabaseModule.forRootAsync({
      inject: [APP_ENV],
      useFactory: (env: NotificationsEnv) => ({
        url: env.DATABASE_URL,
        migrations: notificationsMigrations,
        // Own table per service, so services may share one database.
        migrationTable: 'notifications_migration',
      }),
    }),
  ],
  controllers: [SystemController],
  providers: [streamsServerProvider()],
})
export class AppModule {}
