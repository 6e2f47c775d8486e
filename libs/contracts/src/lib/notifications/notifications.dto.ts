import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_PAGE_SIZE, PageQueryDto } from '../common/page-query.dto';
import { WithCallerDto } from '../common/with-caller.dto';
import { IsNotificationId } from './notification-id.decorator';

/** `notifications.list`: the caller's feed, newest first. Reply: `Page<Notification>`. */
export class ListNotificationsDto extends PageQueryDto {}

/** `notifications.markRead`. Reply: `UnreadCount`; an id not in the caller's feed is `E_NOT_FOUND`. */
export class MarkNotificationReadDto extends WithCallerDto {
  @IsNotificationId()
  id!: string;
}

/** `notifications.markAllRead`. Reply: `UnreadCount` (0). */
export class MarkAllNotificationsReadDto extends WithCallerDto {}

/** `notifications.unreadCount`. Reply: `UnreadCount`. */
export class UnreadCountDto extends WithCallerDto {}

/**
 * `notifications.since`: what a reconnecting SSE client missed. Reply: `NotificationsSince`, the entries
 * after `after` oldest first (at most `limit`), or `reset` with the latest `limit` when `after` is not
 * in the feed. `after` = `FEED_START` (`0-0`): the whole feed, or `reset` once entries were trimmed.
 * Without `after`: `reset: false` and no items (a first connection gets only live ones).
 */
export class NotificationsSinceDto extends WithCallerDto {
  @IsOptional()
  @IsNotificationId('after')
  after?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE * 10)
  limit?: number;
}
