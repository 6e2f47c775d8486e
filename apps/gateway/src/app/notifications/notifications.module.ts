import { Module } from '@nestjs/common';
import { serviceClients } from '../service-clients';
import { LiveHub } from './live-hub';
import { NotificationStreamController } from './notification-stream.controller';
import { NotificationsApi } from './notifications-api';
import { NotificationsController } from './notifications.controller';

/** My notifications: the feed's routes and its live stream, fed by this instance's fan-out reader. */
@Module({
  imports: [serviceClients],
  controllers: [NotificationStreamController, NotificationsController],
  providers: [NotificationsApi, LiveHub],
})
export class NotificationsModule {}
