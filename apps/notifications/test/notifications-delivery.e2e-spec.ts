import {
  ADMINS_FEED,
  NOTIFICATIONS_COMMANDS as C,
  NOTIFICATIONS_LIVE_PATTERN,
  type LiveNotification,
  type Notification,
  type NotificationKind,
  type OrderStatus,
  type UnreadCount,
} from '@shop/contracts';
import { compareStreamIds, decodeEnvelope, type Envelope } from '@shop/messaging';
import { waitFor } from '@shop/testing';
import {
  admin,
  customer,
  LIVE_STREAM,
  metric,
  orderEvent,
  orderId,
  ORDERS_EVENT_STREAM,
  patternOf,
  startNotificationsStack,
  type NotificationsStack,
} from './notifications-harness';

const EVENTS = 1000;
const CUSTOMERS = 50;

/** One order event and the notifications it must become. */
interface Planned {
  pattern: string;
  event: ReturnType<typeof orderEvent>;
  kind: NotificationKind;
  toAdmins: boolean;
}

/** A deterministic mix of order lives (seeded), `EVENTS` events over `CUSTOMERS` customers. */
function plan(): Planned[] {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const lives: Array<Array<[keyof typeof patternOf, OrderStatus, NotificationKind]>> = [
    [
      ['created', 'pending', 'order.created'],
      ['statusChanged', 'paid', 'order.paid'],
      ['statusChanged', 'shipped', 'order.shipped'],
      ['statusChanged', 'delivered', 'order.delivered'],
    ],
    [
      ['created', 'pending', 'order.created'],
      ['updated', 'pending', 'order.updated'],
      ['cancelled', 'cancelled', 'order.cancelled'],
    ],
    [
      ['created', 'pending', 'order.created'],
      ['statusChanged', 'paid', 'order.paid'],
      ['cancelled', 'cancelled', 'order.cancelled'],
    ],
    [
      ['created', 'pending', 'order.created'],
      ['deleted', 'pending', 'order.deleted'],
    ],
  ];
  const out: Planned[] = [];
  while (out.length < EVENTS) {
    const who = `c${String(Math.floor(random() * CUSTOMERS)).padStart(2, '0')}`;
    const id = orderId();
    for (const [step, status, kind] of lives[Math.floor(random() * lives.length)]) {
      if (out.length === EVENTS) break;
      const extra = step === 'updated' ? { change: 'items', previousTotal: 999 } : {};
      out.push({
        pattern: patternOf[step],
        event: orderEvent(who, id, status, extra),
        kind,
        toAdmins: kind === 'order.created' || kind === 'order.cancelled',
      });
    }
  }
  return out;
}

// 1,000 order events over two instances, one SIGKILLed midway: every feed ends exactly right.
describe('notifications delivery', () => {
  let s: NotificationsStack;

  beforeAll(async () => {
    // Feeds long enough to keep every entry of this test (the admins' feed gets ~400), the live stream too.
    s = await startNotificationsStack(2, {
      NOTIFICATIONS_FEED_LENGTH: '5000',
      NOTIFICATIONS_LIVE_LENGTH: '100000',
    });
  }, 90_000);
  afterAll(async () => {
    await s?.dispose();
  }, 30_000);

  it('turns 1,000 events into exactly the right notifications with an instance SIGKILLed midway, each once, live too', async () => {
    const events = plan();
    const half = EVENTS / 2;
    for (let i = 0; i < half; i += 50) {
      await Promise.all(events.slice(i, i + 50).map((p) => s.publish(p.pattern, p.event)));
    }
    // The instance to kill has done part of the work, and a burst is in flight when it dies.
    await waitFor(
      'instance 1 to have written notifications',
      async () => (await metric(s.instances[1], 'notifications_feed_writes_total')) >= 50,
      {
        timeoutMs: 30_000,
      },
    );
    await Promise.all(events.slice(half, half + 200).map((p) => s.publish(p.pattern, p.event)));
    await s.instances[1].kill();
    const pending = (await s.data.xpending(
      ORDERS_EVENT_STREAM,
      'notifications',
      '-',
      '+',
      1000,
      'notifications-1',
    )) as unknown[];
    console.log(`instance 1 SIGKILLed with ${pending.length} events pending`);
    await Promise.all(events.slice(half + 200).map((p) => s.publish(p.pattern, p.event)));
    // Copies of 100 events, as redeliveries after a crash between the feed write and the ack look.
    const copies: Envelope[] = events.slice(0, 100).map((p) => ({
      id: p.event.eventId,
      pattern: p.pattern,
      data: p.event,
      sender: 'orders:e2e',
      ts: Date.now(),
    }));
    for (const copy of copies) await s.republish(copy);
    // The dead consumer's entries are reclaimed after the transport's claimIdleMs (10 s).
    await s.settled(60_000);

    // Every customer: exactly their events, each once, all unread.
    const expected = new Map<string, Map<string, NotificationKind>>();
    for (const p of events) {
      const feed = expected.get(p.event.customerId) ?? new Map<string, NotificationKind>();
      feed.set(p.event.eventId, p.kind);
      expected.set(p.event.customerId, feed);
    }
    expect(expected.size).toBe(CUSTOMERS);
    const stored = new Map<string, Notification[]>();
    for (const [who, want] of expected) {
      const items = await s.feed(customer(who));
      stored.set(who, items);
      expect({ who, count: items.length }).toEqual({ who, count: want.size });
      expect(new Set(items.map((n) => n.eventId)).size).toBe(items.length);
      expect(new Map(items.map((n) => [n.eventId, n.kind]))).toEqual(want);
      expect(items.every((n) => n.customerId === who && !n.read)).toBe(true);
      expect(await s.call<UnreadCount>(C.unreadCount, { caller: customer(who) })).toEqual({
        unread: want.size,
      });
    }

    // The admins' feed: new orders and cancellations of everybody, each once.
    const adminItems = await s.feed(admin);
    stored.set(ADMINS_FEED, adminItems);
    const wantAdmins = new Map(events.filter((p) => p.toAdmins).map((p) => [p.event.eventId, p.kind]));
    expect(adminItems.length).toBe(wantAdmins.size);
    expect(new Map(adminItems.map((n) => [n.eventId, n.kind]))).toEqual(wantAdmins);
    expect(await s.call<UnreadCount>(C.unreadCount, { caller: admin })).toEqual({ unread: wantAdmins.size });

    // Live: every stored notification is on the fan-out stream, decodable, with the entry before it.
    const live = (await s.data.xrange(LIVE_STREAM, '-', '+')).map(([, fields]) => decodeEnvelope(fields));
    const byKey = new Map<string, Envelope>();
    for (const envelope of live) {
      expect(envelope.pattern).toBe(NOTIFICATIONS_LIVE_PATTERN);
      const data = envelope.data as LiveNotification;
      expect(envelope.id).toBe(`${data.feed}/${data.notification.id}`);
      byKey.set(envelope.id, envelope);
    }
    let total = 0;
    for (const [feed, items] of stored) {
      const ascending = [...items].sort((a, b) => compareStreamIds(a.id, b.id));
      ascending.forEach((n, i) => {
        const envelope = byKey.get(`${feed}/${n.id}`);
        expect(envelope).toBeDefined();
        const data = (envelope as Envelope).data as LiveNotification;
        expect(data.notification).toEqual(n);
        expect(data.previousId).toBe(i === 0 ? undefined : ascending[i - 1].id);
      });
      total += items.length;
    }
    // Nothing live that is not stored (republished duplicates carry the same envelope id).
    expect(byKey.size).toBe(total);
    // The copies were recognised as duplicates, not stored again (counted on the surviving instance).
    expect(
      await metric(s.instances[0], 'notifications_feed_writes_total', 'outcome="duplicate"'),
    ).toBeGreaterThanOrEqual(copies.length);
    expect(await s.data.xlen('shop:dlq:{notifications}:evt')).toBe(0);
  }, 150_000);
});
