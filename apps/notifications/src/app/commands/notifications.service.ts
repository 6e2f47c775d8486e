import { Injectable } from '@nestjs/common';
import {
  ADMINS_FEED,
  DEFAULT_PAGE_SIZE,
  ERROR_CODES,
  feedOf,
  MAX_PAGE_SIZE,
  NOTIFICATION_ID_PATTERN,
  type CallerDto,
  type ListNotificationsDto,
  type MarkNotificationReadDto,
  type Notification,
  type NotificationsSince,
  type NotificationsSinceDto,
  type Page,
  type UnreadCount,
} from '@shop/contracts';
import { DomainError } from '@shop/messaging';
import { FeedStore } from '../feed/feed.store';

/** Entries `since` returns when the caller names no limit. */
export const DEFAULT_SINCE_LIMIT = MAX_PAGE_SIZE;

/**
 * The feed commands. Every one reads or writes the caller's own feed (`feedOf(caller)`: a customer's,
 * or the admins' shared one), so an id from another feed is simply not found there.
 */
@Injectable()
export class NotificationsService {
  constructor(private readonly feeds: FeedStore) {}

  list(dto: ListNotificationsDto): Promise<Page<Notification>> {
    return this.feeds.page(feedFor(dto.caller), cursorOf(dto.cursor), dto.limit ?? DEFAULT_PAGE_SIZE);
  }

  async markRead(dto: MarkNotificationReadDto): Promise<UnreadCount> {
    const unread = await this.feeds.markRead(feedFor(dto.caller), dto.id);
    if (unread === undefined)
      throw new DomainError(ERROR_CODES.notFound, `notification ${dto.id} not found`, 404);
    return { unread };
  }

  async markAllRead(caller: CallerDto): Promise<UnreadCount> {
    await this.feeds.markAllRead(feedFor(caller));
    return { unread: 0 };
  }

  async unreadCount(caller: CallerDto): Promise<UnreadCount> {
    return { unread: await this.feeds.unreadCount(feedFor(caller)) };
  }

  async since(dto: NotificationsSinceDto): Promise<NotificationsSince> {
    const feed = feedFor(dto.caller);
    // A first connection has nothing to catch up on: it gets live entries only.
    if (dto.after === undefined) return { reset: false, items: [] };
    return this.feeds.since(feed, dto.after, dto.limit ?? DEFAULT_SINCE_LIMIT);
  }
}

/** The caller's feed; a customer whose id is the admins' feed name would otherwise read that feed. */
function feedFor(caller: CallerDto): string {
  if (caller.role !== 'admin' && caller.userId === ADMINS_FEED)
    throw new DomainError(ERROR_CODES.forbidden, `the "${ADMINS_FEED}" feed is for admins`, 403);
  return feedOf(caller);
}

/** A list cursor is the last entry id of the previous page. */
function cursorOf(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && !NOTIFICATION_ID_PATTERN.test(cursor))
    throw new DomainError(ERROR_CODES.badCursor, 'cursor is not one this service returned', 400);
  return cursor;
}
