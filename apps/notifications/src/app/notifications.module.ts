import { Module } from '@nestjs/common';
import { APP_ENV } from '@shop/platform';
import { NotificationsController } from './commands/notifications.controller';
import { NotificationsService } from './commands/notifications.service';
import { OrderEventsController } from './events/order-events.controller';
import { OrderNotifier } from './events/order-notifier';
import { FeedStore } from './feed/feed.store';
import { LivePublisher } from './live/live-publisher';
import { FEED_SETTINGS, feedSettingsOf, type NotificationsEnv } from './notifications-env';
import { NotificationsMetrics } from './notifications-metrics';

/** Order events in, per-user feeds in the data Redis, live fan-out out, and the feed commands. */
@Module({
  controllers: [OrderEventsController, NotificationsController],
  providers: [
    { provide: FEED_SETTINGS, inject: [APP_ENV], useFactory: (env: NotificationsEnv) => feedSettingsOf(env) },
    { provide: NotificationsMetrics, useFactory: () => new NotificationsMetrics() },
    FeedStore,
    LivePublisher,
    OrderNotifier,
    NotificationsService,
  ],
})
export class NotificationsModule {}
