import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { NOTIFICATIONS_LIVE_PATTERN, type LiveNotification } from '@shop/contracts';
import { FanOutReader, streamNames } from '@shop/messaging';
import { APP_ENV, counterOnce, gaugeOnce } from '@shop/platform';
import { RedisConnections } from '@shop/redis';
import { RedisSessionStore } from '@shop/sessions';
import { CodedError } from '@shop/util';
import type { GatewayEnv } from '../gateway-env';
import type { SseConnection } from './sse-connection';

/**
 * Why a stream could not be added. No message of its own: the controller answers it with the limit,
 * which this class does not know.
 */
export class TooManyStreamsError extends CodedError<'E_TOO_MANY_STREAMS'> {
  constructor() {
    super('E_TOO_MANY_STREAMS', '');
  }
}

/**
 * This instance's live notification streams. One fan-out reader per instance reads every entry of the
 * notifications service's live stream (no consumer group: every gateway instance sees all) and hands
 * each to the connections this instance holds for its feed. Feeds without a connection cost a map miss.
 */
@Injectable()
export class LiveHub implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly byFeed = new Map<string, Set<SseConnection>>();
  /** The session each stream was opened with: the stream lives no longer than it. */
  private readonly sessionOf = new Map<SseConnection, string>();
  private sessionCheck?: NodeJS.Timeout;
  private checking = false;
  private readonly perUser = new Map<string, number>();
  private readonly reader: FanOutReader;
  private readonly log = new Logger(LiveHub.name);
  private readonly connections = gaugeOnce('gateway_sse_connections', 'Open live notification streams');
  private readonly feeds = gaugeOnce('gateway_sse_feeds', 'Feeds with at least one open stream (listeners)');
  private readonly delivered = counterOnce(
    'gateway_sse_notifications_total',
    'Live notifications handed to open streams',
  );
  private readonly sessionEnded = counterOnce(
    'gateway_sse_session_ended_total',
    'Live streams ended because their session was logged out, revoked or expired',
  );
  private stopping = false;

  constructor(
    redis: RedisConnections,
    @Inject(APP_ENV) private readonly env: GatewayEnv,
    private readonly sessions: RedisSessionStore,
  ) {
    this.reader = new FanOutReader({
      connections: redis,
      stream: streamNames.fanOut(redis.keys, 'notifications', 'live'),
      onEntry: ({ envelope }) => {
        if (envelope.pattern !== NOTIFICATIONS_LIVE_PATTERN) return;
        this.dispatch(envelope.data as LiveNotification);
      },
      // Live entries were trimmed before this instance read them: any open stream may have missed one
      // that no later entry will reveal (its previousId), so each reads its feed after its last id.
      onGap: () => this.resyncAll(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reader.start();
    this.sessionCheck = setInterval(
      () => void this.endStreamsOfEndedSessions(),
      this.env.SSE_SESSION_CHECK_MS,
    );
    this.sessionCheck.unref();
  }

  /** Ends every stream before the HTTP server closes (it waits for open connections): browsers reconnect elsewhere. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sessionCheck);
    for (const set of [...this.byFeed.values()]) for (const c of [...set]) c.end();
    await this.reader.stop();
  }

  get draining(): boolean {
    return this.stopping;
  }

  /**
   * Registers a stream of `userId`, opened with session `sessionId`, for its feed; throws
   * `TooManyStreamsError` past the per-user limit.
   */
  add(userId: string, sessionId: string, conn: SseConnection): () => void {
    const held = this.perUser.get(userId) ?? 0;
    if (held >= this.env.SSE_MAX_PER_USER) throw new TooManyStreamsError();
    this.perUser.set(userId, held + 1);
    let set = this.byFeed.get(conn.feed);
    if (!set) this.byFeed.set(conn.feed, (set = new Set()));
    set.add(conn);
    this.sessionOf.set(conn, sessionId);
    this.updateGauges();
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
      this.sessionOf.delete(conn);
      const s = this.byFeed.get(conn.feed);
      s?.delete(conn);
      if (s && s.size === 0) this.byFeed.delete(conn.feed);
      this.updateGauges();
    };
  }

  /** Open streams and feeds listened to (tests assert none is left after the clients go). */
  stats(): { connections: number; feeds: number } {
    let connections = 0;
    for (const s of this.byFeed.values()) connections += s.size;
    return { connections, feeds: this.byFeed.size };
  }

  /**
   * A stream outlives the request that opened it, so a logout, a revoke from another device (on any
   * instance) or the session's expiry would not end it: every SSE_SESSION_CHECK_MS the sessions of the
   * open streams are looked up (one EXISTS per distinct session) and the streams of those gone are
   * ended; the browser's reconnect then gets a 401. When Redis cannot answer, the streams are kept: the
   * next check decides (ending them would only make every browser reconnect into the same outage).
   */
  async endStreamsOfEndedSessions(): Promise<number> {
    if (this.checking || this.sessionOf.size === 0) return 0;
    this.checking = true;
    try {
      // Only the streams asked about: one opened during the lookup (a fresh login) was not.
      const checked = [...this.sessionOf];
      const alive = await this.sessions.aliveSessions(checked.map(([, sid]) => sid));
      let ended = 0;
      for (const [conn, sid] of checked)
        if (!alive.has(sid) && !conn.isClosed) {
          conn.end();
          ended++;
        }
      this.sessionEnded.inc(ended);
      return ended;
    } catch (err) {
      this.log.warn({ msg: 'could not check the sessions of open streams; kept', err: String(err) });
      return 0;
    } finally {
      this.checking = false;
    }
  }

  private resyncAll(): void {
    for (const set of this.byFeed.values()) for (const c of set) c.resync();
  }

  private dispatch(live: LiveNotification): void {
    if (typeof live?.feed !== 'string' || typeof live.notification?.id !== 'string') {
      this.log.warn({ msg: 'undecodable live notification ignored' });
      return;
    }
    const set = this.byFeed.get(live.feed);
    if (!set) return;
    for (const c of set) c.push(live.notification, live.previousId);
    this.delivered.inc(set.size);
  }

  private updateGauges(): void {
    const { connections, feeds } = this.stats();
    this.connections.set(connections);
    this.feeds.set(feeds);
  }
}
