import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ListNotificationsDto,
  MarkAllNotificationsReadDto,
  MarkNotificationReadDto,
  NOTIFICATIONS_COMMANDS,
  NotificationsSinceDto,
  UnreadCountDto,
  type Notification,
  type NotificationsSince,
  type Page,
  type UnreadCount,
} from '@shop/contracts';
import { NotificationsService } from './notifications.service';

/** Feed commands over the Streams transport (payloads validated by the global pipe). */
@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @MessagePattern(NOTIFICATIONS_COMMANDS.list)
  list(@Payload() dto: ListNotificationsDto): Promise<Page<Notification>> {
    return this.notifications.list(dto);
  }

  @MessagePattern(NOTIFICATIONS_COMMANDS.markRead)
  markRead(@Payload() dto: MarkNotificationReadDto): Promise<UnreadCount> {
    return this.notifications.markRead(dto);
  }

  @MessagePattern(NOTIFICATIONS_COMMANDS.markAllRead)
  markAllRead(@Payload() dto: MarkAllNotificationsReadDto): Promise<UnreadCount> {
    return this.notifications.markAllRead(dto.caller);
  }

  @MessagePattern(NOTIFICATIONS_COMMANDS.unreadCount)
  unreadCount(@Payload() dto: UnreadCountDto): Promise<UnreadCount> {
    return this.notifications.unreadCount(dto.caller);
  }

  @MessagePattern(NOTIFICATIONS_COMMANDS.since)
  since(@Payload() dto: NotificationsSinceDto): Promise<NotificationsSince> {
    return this.notifications.since(dto);
  }
}
