import { Inject, Injectable, Logger } from '@nestjs/common';
import { FEED_START, type Notification, type NotificationsSince, type Page } from '@shop/contracts';
import { RedisConnections, type RedisClient } from '@shop/redis';
import type { NewNotification } from '../events/order-notification';
import { FEED_SETTINGS, type FeedSettings } from '../notifications-env';
import { decodeEntry, encodeNotification, previousOf, withEntry, type RawEntry } from './feed-entry';
import { feedKeys, type FeedKeys } from './feed-keys';
import { addNotificationScript, markReadScript } from './feed.scripts';

/** What an add did: `added` now, or a `duplicate` of an event already in the feed (nothing written). */
export interface StoredNotification {
  outcome: 'added' | 'duplicate';
  notification: Notification;
  /** The entry before it in the feed; absent when it was the first. */
  previousId?: string;
}

/**
 * The per-user feeds in the data Redis (see `feedKeys` for the keys and `feed.scripts.ts` for the
 * writes). Feed ids are callers' feeds (`feedOf`) or event customers, both validated as key parts.
 * Entry ids passed in (cursors, `after`, marks) are validated stream ids (`NOTIFICATION_ID_PATTERN`).
 */
@Injectable()
export class FeedStore {
  private readonly log = new Logger('FeedStore');
  private readonly redis: RedisClient;

  constructor(
    private readonly connections: RedisConnections,
    @Inject(FEED_SETTINGS) private readonly settings: FeedSettings,
  ) {
    this.redis = connections.shared('data', 'request');
  }

  /**
   * Adds a notification once per event and feed. Resolves undefined when the event's entry was added
   * before and has been trimmed from the feed since (there is nothing left to deliver).
   */
  async add(feed: string, n: NewNotification): Promise<StoredNotification | undefined> {
    const keys = this.keys(feed);
    const [outcome, id, previous, unread] = await addNotificationScript.run(
      this.redis,
      [keys.stream, keys.unread, keys.event(n.eventId)],
      [encodeNotification(n), this.settings.feedLength, this.settings.feedTtlMs, this.settings.dedupeTtlMs],
    );
    if (outcome === 'gone') return undefined;
    return {
      outcome,
      notification: withEntry(n, id, unread !== 1),
      ...(previous ? { previousId: previous } : {}),
    };
  }

  /** Newest first, `limit` entries older than `before` (an entry id; the newest when absent). */
  async page(feed: string, before: string | undefined, limit: number): Promise<Page<Notification>> {
    const keys = this.keys(feed);
    const raw = (await this.redis.xrevrange(
      keys.stream,
      before ? `(${before}` : '+',
      '-',
      'COUNT',
      limit + 1,
    )) as RawEntry[];
    const page = raw.slice(0, limit);
    const items = await this.notifications(keys, page);
    return raw.length > limit ? { items, nextCursor: page[page.length - 1][0] } : { items };
  }

  /**
   * What a reader after `after` missed, oldest first: the entries after it when it is an entry of the
   * feed, otherwise (unknown or trimmed) `reset` and the latest `limit` entries. After `FEED_START` the
   * reader misses nothing while the feed's first entry is its first ever (no previous id recorded), so
   * a reader that began on an empty feed is not reset. One `MULTI`, so the checks and reads see the
   * same feed.
   */
  async since(feed: string, after: string, limit: number): Promise<NotificationsSince> {
    const keys = this.keys(feed);
    const replies = await this.redis
      .multi()
      .xrange(keys.stream, after, after)
      .xrange(keys.stream, `(${after}`, '+', 'COUNT', limit)
      .xrevrange(keys.stream, '+', '-', 'COUNT', limit)
      .xrange(keys.stream, '-', '+', 'COUNT', 1)
      .exec();
    if (!replies) throw new Error('the feed read was aborted');
    for (const [err] of replies) if (err) throw err;
    const [known, following, latest, [first]] = replies.map(([, value]) => value as RawEntry[]);
    const whole = after === FEED_START && (!first || !previousOf(first));
    if (known.length > 0 || whole) return { reset: false, items: await this.notifications(keys, following) };
    return { reset: true, items: await this.notifications(keys, latest.reverse()) };
  }

  /** The unread count after marking `id` read, or undefined when `id` is not an entry of the feed. */
  async markRead(feed: string, id: string): Promise<number | undefined> {
    const keys = this.keys(feed);
    const unread = await markReadScript.run(this.redis, [keys.stream, keys.unread], [id]);
    return unread < 0 ? undefined : unread;
  }

  async markAllRead(feed: string): Promise<void> {
    await this.redis.del(this.keys(feed).unread);
  }

  unreadCount(feed: string): Promise<number> {
    return this.redis.scard(this.keys(feed).unread);
  }

  private keys(feed: string): FeedKeys {
    return feedKeys(this.connections.keys, feed);
  }

  private async notifications(keys: FeedKeys, entries: RawEntry[]): Promise<Notification[]> {
    if (entries.length === 0) return [];
    const unread = await this.redis.smismember(keys.unread, ...entries.map(([id]) => id));
    const out: Notification[] = [];
    entries.forEach((entry, i) => {
      const n = decodeEntry(entry, unread[i] !== 1);
      if (n) out.push(n);
      else
        this.log.warn({
          msg: 'feed entry without a notification skipped',
          stream: keys.stream,
          id: entry[0],
        });
    });
    return out;
  }
}
