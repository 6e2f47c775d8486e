import {
  ADMINS_FEED,
  FEED_START,
  NOTIFICATIONS_COMMANDS as C,
  NOTIFICATIONS_LIVE_PATTERN,
  type CallerDto,
  type LiveNotification,
  type Notification,
  type NotificationsSince,
  type OrderStatus,
  type Page,
  type UnreadCount,
} from '@shop/contracts';
import { FanOutReader, type Envelope } from '@shop/messaging';
import { waitFor } from '@shop/testing';
import {
  admin,
  customer,
  LIVE_STREAM,
  orderEvent,
  orderId,
  patternOf,
  startNotificationsStack,
  type NotificationsStack,
} from './notifications-harness';

const FEED_LENGTH = 5;

// The feed commands against one instance with short feeds (5 entries), so trimming is easy to reach.
describe('notifications commands', () => {
  let s: NotificationsStack;

  /** Publishes a status change of a fresh order for `who` and waits until its notification is stored. */
  const notify = async (who: string, status: OrderStatus = 'paid'): Promise<Notification> => {
    const event = orderEvent(who, orderId(), status, { from: 'pending' });
    await s.publish(patternOf.statusChanged, event);
    return waitFor(`the notification of ${event.eventId}`, async () => {
      const page = await s.call<Page<Notification>>(C.list, { caller: customer(who), limit: FEED_LENGTH });
      return page.items.find((n) => n.eventId === event.eventId);
    });
  };
  const since = (caller: CallerDto, after?: string, limit?: number) =>
    s.call<NotificationsSince>(C.since, { caller, ...(after ? { after } : {}), ...(limit ? { limit } : {}) });
  const unread = (caller: CallerDto) => s.call<UnreadCount>(C.unreadCount, { caller });
  const ids = (items: Notification[]) => items.map((n) => n.id);

  beforeAll(async () => {
    s = await startNotificationsStack(1, { NOTIFICATIONS_FEED_LENGTH: String(FEED_LENGTH) });
  }, 60_000);
  afterAll(async () => {
    await s?.dispose();
  }, 30_000);

  it('since the feed start (0-0) is the whole feed while nothing was trimmed, a reset once something was', async () => {
    const fresh = customer('fresh');
    expect(await since(fresh, FEED_START)).toEqual({ reset: false, items: [] });
    const a = [await notify('fresh'), await notify('fresh')];
    expect(await since(fresh, FEED_START)).toEqual({ reset: false, items: a });
    for (let i = 0; i < FEED_LENGTH; i++) a.push(await notify('fresh'));
    expect(await since(fresh, FEED_START)).toEqual({ reset: true, items: a.slice(-FEED_LENGTH) });
  });

  it('answers since with what was missed, oldest first, and reset for an unknown or trimmed id', async () => {
    const sina = customer('sina');
    const a = [await notify('sina'), await notify('sina'), await notify('sina')];
    expect(await since(sina)).toEqual({ reset: false, items: [] });
    expect(await since(sina, a[0].id)).toEqual({ reset: false, items: [a[1], a[2]] });
    expect(await since(sina, a[0].id, 1)).toEqual({ reset: false, items: [a[1]] });
    expect(await since(sina, a[2].id)).toEqual({ reset: false, items: [] });
    expect(await since(sina, '1-0')).toEqual({ reset: true, items: a });

    for (let i = 0; i < 4; i++) a.push(await notify('sina'));
    // 7 added, 5 kept: a[0] and a[1] are trimmed away, and out of the unread count.
    expect(await s.data.xlen('shop:notif:{sina}:stream')).toBe(FEED_LENGTH);
    expect(await unread(sina)).toEqual({ unread: FEED_LENGTH });
    expect(await since(sina, a[0].id)).toEqual({ reset: true, items: a.slice(2) });
    expect(await since(sina, a[1].id, 2)).toEqual({ reset: true, items: a.slice(5) });
    expect(await since(sina, a[2].id)).toEqual({ reset: false, items: a.slice(3) });
    // Another caller's since reads their own (empty) feed.
    expect(await since(customer('bob'), a[2].id)).toEqual({ reset: true, items: [] });

    // Every key of the feed has a TTL (the feed's 30 days; the event markers' 7 days).
    const day = 86_400_000;
    for (const key of ['shop:notif:{sina}:stream', 'shop:notif:{sina}:unread']) {
      expect(await s.data.pttl(key)).toBeGreaterThan(29 * day);
    }
    const marker = await s.data.pttl(`shop:notif:{sina}:e:${a[6].eventId}`);
    expect(marker).toBeGreaterThan(6 * day);
    expect(marker).toBeLessThanOrEqual(7 * day);
    expect(await s.data.get(`shop:notif:{sina}:e:${a[6].eventId}`)).toBe(a[6].id);
  }, 60_000);

  it('pages the feed newest first by cursor, and marks one or all read', async () => {
    const paula = customer('paula');
    const added: Notification[] = [];
    for (let i = 0; i < 5; i++) added.push(await notify('paula'));
    const newestFirst = [...added].reverse();

    const p1 = await s.call<Page<Notification>>(C.list, { caller: paula, limit: 2 });
    expect(ids(p1.items)).toEqual(ids(newestFirst.slice(0, 2)));
    expect(p1.nextCursor).toBe(p1.items[1].id);
    const p2 = await s.call<Page<Notification>>(C.list, { caller: paula, limit: 2, cursor: p1.nextCursor });
    expect(ids(p2.items)).toEqual(ids(newestFirst.slice(2, 4)));
    const p3 = await s.call<Page<Notification>>(C.list, { caller: paula, limit: 2, cursor: p2.nextCursor });
    expect(ids(p3.items)).toEqual(ids(newestFirst.slice(4)));
    expect(p3.nextCursor).toBeUndefined();
    expect([...p1.items, ...p2.items, ...p3.items].every((n) => !n.read)).toBe(true);
    expect(p1.items[0]).toMatchObject({
      kind: 'order.paid',
      customerId: 'paula',
      status: 'paid',
      total: 1299,
    });
    expect(p1.items[0].message).toBe(`Order ${p1.items[0].orderId} was paid (€12.99)`);

    const third = newestFirst[2].id;
    expect(await s.call(C.markRead, { caller: paula, id: third })).toEqual({ unread: 4 });
    expect(await s.call(C.markRead, { caller: paula, id: third })).toEqual({ unread: 4 });
    const afterMark = await s.feed(paula);
    expect(afterMark.filter((n) => n.read).map((n) => n.id)).toEqual([third]);
    expect(await unread(paula)).toEqual({ unread: 4 });

    expect(await s.call(C.markAllRead, { caller: paula })).toEqual({ unread: 0 });
    expect((await s.feed(paula)).every((n) => n.read)).toBe(true);
    expect(await unread(paula)).toEqual({ unread: 0 });
    const fresh = await notify('paula');
    expect(fresh.read).toBe(false);
    expect(await unread(paula)).toEqual({ unread: 1 });
  }, 60_000);

  it("shares the admins' feed and its read marks between admins", async () => {
    const event = orderEvent('carla', orderId(), 'pending');
    await s.publish(patternOf.created, event);
    const entry = await waitFor('the admins entry', async () =>
      (await s.call<Page<Notification>>(C.list, { caller: admin })).items.find(
        (n) => n.eventId === event.eventId,
      ),
    );
    expect(entry.message).toBe(`New order ${event.orderId} from carla (€12.99)`);
    const other: CallerDto = { userId: 'ops-2', role: 'admin' };
    const before = (await unread(other)).unread;
    expect(before).toBeGreaterThan(0);
    expect(await s.call(C.markRead, { caller: admin, id: entry.id })).toEqual({ unread: before - 1 });
    expect(await unread(other)).toEqual({ unread: before - 1 });
    // The customer's own feed has the order too, and a customer cannot reach the admins' feed.
    expect((await s.feed(customer('carla'))).map((n) => n.eventId)).toEqual([event.eventId]);
    expect((await s.fail(C.list, { caller: customer(ADMINS_FEED) })).remoteCode).toBe('E_FORBIDDEN');
  }, 60_000);

  it('refuses bad input with a clear coded error and writes nothing', async () => {
    const owner = customer('olga');
    const mine = await notify('olga');
    const snapshot = async () => ({
      keys: (await s.data.scan(0, 'MATCH', 'shop:notif:*', 'COUNT', 10_000))[1].sort(),
      stream: await s.data.xrange('shop:notif:{olga}:stream', '-', '+'),
      unread: (await s.data.smembers('shop:notif:{olga}:unread')).sort(),
    });
    const before = await snapshot();

    const cases: Array<[string, object, string, RegExp?]> = [
      [C.markRead, { caller: owner, id: 'abc' }, 'E_VALIDATION', /id must be a notification id/],
      [C.markRead, { caller: owner, id: `${mine.id}*` }, 'E_VALIDATION'],
      [C.markRead, { caller: owner }, 'E_VALIDATION'],
      [C.markRead, { caller: owner, id: mine.id, extra: 1 }, 'E_VALIDATION'],
      [C.markRead, { caller: [], id: mine.id }, 'E_VALIDATION'],
      [C.markRead, { caller: { userId: 'a b', role: 'customer' }, id: mine.id }, 'E_VALIDATION'],
      [C.markRead, { caller: owner, id: '1-0' }, 'E_NOT_FOUND'],
      // Somebody else's notification is not in the caller's feed: not found, not "forbidden".
      [C.markRead, { caller: customer('mallory'), id: mine.id }, 'E_NOT_FOUND', /not found/],
      [C.list, { caller: owner, cursor: 'not-an-id' }, 'E_BAD_CURSOR', /cursor/],
      [C.list, { caller: owner, limit: 1000 }, 'E_VALIDATION'],
      [C.list, { caller: owner, limit: '5' }, 'E_VALIDATION'],
      [C.since, { caller: owner, after: 'x' }, 'E_VALIDATION', /after must be a notification id/],
      [C.since, { caller: owner, after: mine.id, limit: 0 }, 'E_VALIDATION'],
      [C.unreadCount, {}, 'E_VALIDATION'],
      [C.markAllRead, { caller: customer(ADMINS_FEED) }, 'E_FORBIDDEN'],
    ];
    for (const [pattern, payload, code, message] of cases) {
      const err = await s.fail(pattern, payload);
      expect({ pattern, payload, code: err.remoteCode }).toEqual({ pattern, payload, code });
      if (message) expect(err.message).toMatch(message);
    }
    expect(await snapshot()).toEqual(before);
    expect(await unread(owner)).toEqual({ unread: 1 });
  }, 60_000);

  it('dead-letters an order event it cannot describe, naming the problem, and stores nothing for it', async () => {
    const bad = { ...orderEvent('vera', orderId(), 'paid'), customerId: 'has space' };
    await s.publish(patternOf.statusChanged, bad);
    const dead = await waitFor(
      'the bad event in the dead-letter stream',
      async () => {
        const entries = await s.data.xrange('shop:dlq:{notifications}:evt', '-', '+');
        return entries.find(([, fields]) => fields.join(' ').includes(bad.eventId));
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    );
    const fields = dead[1];
    expect(fields[fields.indexOf('error') + 1]).toMatch(
      /cannot notify orders.order.status_changed: customerId/,
    );
    expect((await s.data.scan(0, 'MATCH', 'shop:notif:{has*', 'COUNT', 10_000))[1]).toEqual([]);
  }, 60_000);

  it('puts each notification on the live fan-out stream, readable by FanOutReader, again on a redelivery', async () => {
    const seen: Envelope[] = [];
    const reader = new FanOutReader({
      connections: s.connections,
      stream: LIVE_STREAM,
      blockMs: 200,
      onEntry: ({ envelope }) => {
        seen.push(envelope);
      },
    });
    await reader.start();
    try {
      const ofLiam = () => seen.filter((e) => (e.data as LiveNotification).feed === 'liam');
      const first = await notify('liam');
      const second = await notify('liam');
      await waitFor('two live entries for liam', () => ofLiam().length === 2);
      expect(ofLiam().map((e) => [e.id, e.pattern, e.data])).toEqual([
        [`liam/${first.id}`, NOTIFICATIONS_LIVE_PATTERN, { feed: 'liam', notification: first }],
        [
          `liam/${second.id}`,
          NOTIFICATIONS_LIVE_PATTERN,
          { feed: 'liam', notification: second, previousId: first.id },
        ],
      ]);
      expect(ofLiam()[0].sender).toMatch(/^notifications:notifications-0$/);

      // The same event again: the same entry is published again, the feed is unchanged.
      const redelivered = {
        eventId: second.eventId,
        orderId: second.orderId,
        customerId: 'liam',
        version: 1,
        status: second.status,
        total: second.total,
        items: [],
        at: second.at,
        from: 'pending',
      };
      await s.publish(patternOf.statusChanged, redelivered);
      await waitFor('the republished entry', () => ofLiam().length === 3);
      expect(ofLiam()[2].data).toEqual(ofLiam()[1].data);
      expect(ids(await s.feed(customer('liam')))).toEqual([second.id, first.id]);
      expect(await s.data.pttl(LIVE_STREAM)).toBeGreaterThan(0);
    } finally {
      await reader.stop();
    }
  }, 60_000);
});
