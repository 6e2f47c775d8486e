import {
  Controller,
  Get,
  Headers,
  HttpException,
  Inject,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  feedOf,
  NOTIFICATION_ID_PATTERN,
  NOTIFICATIONS_COMMANDS,
  type Notification,
  type NotificationsSince,
  type Page,
} from '@shop/contracts';
import { APP_ENV } from '@shop/platform';
import type { Request, Response } from 'express';
import { callerOf, CurrentUser } from '../auth/current-user.decorator';
import type { SessionUser } from '../auth/session-user';
import type { GatewayEnv } from '../gateway-env';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { LiveHub, TooManyStreamsError } from './live-hub';
import { NotificationsApi } from './notifications-api';
import { SseConnection } from './sse-connection';

/** Entries per `notifications.since` read; a longer replay or gap is read in several (see `replayLimit`). */
const REPLAY_LIMIT = 500;
/**
 * Stands for a Last-Event-ID that is no feed id at all: never an entry of any feed (Redis ids start at
 * the clock's ms) and not `FEED_START`, so the client gets a `reset`.
 */
const NOT_IN_ANY_FEED = '0-1';

@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationStreamController {
  constructor(
    private readonly hub: LiveHub,
    private readonly notifications: NotificationsApi,
    @Inject(APP_ENV) private readonly env: GatewayEnv,
  ) {}

  /**
   * Server-Sent Events: each event's `id` is the feed entry id and its `data` the notification. A client
   * reconnecting with `Last-Event-ID` (or `?lastEventId=`, for a page that opens a new EventSource on
   * another instance) first gets what it missed, then live ones; an id not in the feed gets a `reset`
   * event whose data is `{ items }`, the latest notifications.
   */
  @Get('stream')
  @ApiOperation({ summary: 'My notifications, live (text/event-stream), resumable with Last-Event-ID' })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'lastEventId', required: false, description: 'as the Last-Event-ID header' })
  @ApiErrors(401, 429, 503)
  async stream(
    @CurrentUser() user: SessionUser,
    @Headers('last-event-id') header: string | undefined,
    @Query('lastEventId') query: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (this.hub.draining)
      throw new ServiceUnavailableException({
        code: 'E_SHUTTING_DOWN',
        message: 'this instance is shutting down; reconnect',
      });
    const caller = callerOf(user);
    const asked = header ?? (typeof query === 'string' && query !== '' ? query : undefined);
    const lastEventId =
      asked === undefined ? undefined : NOTIFICATION_ID_PATTERN.test(asked) ? asked : NOT_IN_ANY_FEED;
    const conn = new SseConnection(
      feedOf(caller),
      res,
      {
        since: (after) =>
          this.notifications.send<NotificationsSince>(NOTIFICATIONS_COMMANDS.since, caller, {
            after,
            limit: REPLAY_LIMIT,
          }),
        latestId: async () =>
          (
            await this.notifications.send<Page<Notification>>(NOTIFICATIONS_COMMANDS.list, caller, {
              limit: 1,
            })
          ).items[0]?.id,
      },
      {
        retryMs: this.env.SSE_RETRY_MS,
        heartbeatMs: this.env.SSE_HEARTBEAT_MS,
        replayLimit: REPLAY_LIMIT,
      },
      () => remove(),
    );
    let remove: () => void = () => undefined;
    try {
      remove = this.hub.add(user.id, req.sessionID, conn);
    } catch (err) {
      if (!(err instanceof TooManyStreamsError)) throw err;
      throw new HttpException(
        {
          code: 'E_TOO_MANY_STREAMS',
          message: `at most ${this.env.SSE_MAX_PER_USER} notification streams per user on one instance; close one`,
        },
        429,
      );
    }
    // Registered before the replay: what is published meanwhile waits in the connection's buffer.
    conn.open();
    if (req.destroyed) conn.end();
    await conn.resume(lastEventId);
  }
}
