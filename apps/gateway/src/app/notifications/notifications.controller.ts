import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { NOTIFICATIONS_COMMANDS, type Notification, type Page, type UnreadCount } from '@shop/contracts';
import { listView, type ListView } from '../api/list-view';
import { callerOf, CurrentUser } from '../auth/current-user.decorator';
import type { SessionUser } from '../auth/session-user';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { NotificationsApi } from './notifications-api';
import { ListNotificationsQuery, NotificationIdParam } from './notifications.dto';

/**
 * My notification feed (an admin's is the shared admins' feed), read from the notifications service.
 * Not cached: read marks change it, and the live stream (`/stream`) is how a page stays current.
 */
@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsApi) {}

  @Get()
  @ApiOperation({ summary: 'My notifications, newest first, cursor-paged' })
  @ApiErrors(400, 401, 429, 503, 504)
  async list(
    @Query() query: ListNotificationsQuery,
    @CurrentUser() user: SessionUser,
  ): Promise<ListView<Notification>> {
    return listView(
      await this.notifications.send<Page<Notification>>(NOTIFICATIONS_COMMANDS.list, callerOf(user), query),
    );
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of my notifications are unread' })
  @ApiErrors(401, 429, 503, 504)
  unreadCount(@CurrentUser() user: SessionUser): Promise<UnreadCount> {
    return this.notifications.send<UnreadCount>(NOTIFICATIONS_COMMANDS.unreadCount, callerOf(user));
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  @ApiErrors(401, 403, 429, 503, 504)
  readAll(@CurrentUser() user: SessionUser): Promise<UnreadCount> {
    return this.notifications.send<UnreadCount>(NOTIFICATIONS_COMMANDS.markAllRead, callerOf(user));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of my notifications read; replies with the unread count' })
  @ApiErrors(400, 401, 403, 404, 429, 503, 504)
  read(@Param() { id }: NotificationIdParam, @CurrentUser() user: SessionUser): Promise<UnreadCount> {
    return this.notifications.send<UnreadCount>(NOTIFICATIONS_COMMANDS.markRead, callerOf(user), { id });
  }
}
