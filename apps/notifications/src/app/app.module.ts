import { Module } from '@nestjs/common';
import { serviceInfrastructure, streamsServerProvider } from '@shop/platform';
import { NotificationsEnv } from './notifications-env';
import { SystemController } from './system.controller';
import { notificationsMigrations } from './migrations';
import { NotificationsModule } from './notifications.module';

/** The notifications service's root module; `main.ts` and the e2e suites boot exactly this. */
@Module({
  imports: [
    ...serviceInfrastructure({
      service: 'notifications',
      env: NotificationsEnv,
      migrations: notificationsMigrations,
    }),
    NotificationsModule,
  ],
  controllers: [SystemController],
  providers: [streamsServerProvider()],
})
export class AppModule {}
