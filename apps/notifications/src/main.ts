import 'reflect-metadata';
import { bootstrapService } from '@shop/platform';
import { AppModule } from './app/app.module';
import { NotificationsEnv } from './app/notifications-env';

void bootstrapService({
  service: 'notifications',
  module: AppModule,
  env: NotificationsEnv,
  microservice: true,
});
