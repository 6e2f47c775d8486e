import { RedisConnections } from '@shop/redis';
import { readMetric, waitFor } from '@shop/testing';
import { startGatewayStack, username, type Browser, type GatewayStack } from './gateway-harness';
import { compareStreamIds } from '../src/app/notifications/stream-id';
import { publishOrderCreated } from './order-events';
import { SseClient } from './sse-client';

/**
 * Live notifications end to end: 2 gateways, 2 orders, 2 notifications instances as separate processes
 * on one data Redis. The stream is `GET /api/notifications/stream` (SSE) on either gateway.
 */
describe('gateway live notifications (2 gateways, 2 notifications instances)', () => {
  let stack: GatewayStack;
  let data: RedisConnections;

  beforeAll(async () => {
    stack = await startGatewayStack({
      notifications: 2,
      gatewayEnv: {
        SSE_HEARTBEAT_MS: '1000',
        SSE_RETRY_MS: '500',
        SSE_MAX_PER_USER: '5',
        SSE_SESSION_CHECK_MS: '300',
        INSTANCE_REPORT_MS: '500',
      },
      ordersEnv: { INSTANCE_REPORT_MS: '500' },
      notificationsEnv: { INSTANCE_REPORT_MS: '500' },
    });
    data = new RedisConnections({ url: stack.redis.url, keyPrefix: 'shop', connectionName: 'e2e-events' });
  });

  afterAll(async () => {
    await data?.close();
    await stack?.dispose();
  });

  const streamUrl = (instance: number, query = '') =>
    `${stack.gateways[instance].url}/api/notifications/stream${query}`;
  /** A stream, returned once it is live (`ready`); a refused one (401, 429) at once. */
  const open = async (
    b: Browser,
    instance: number,
    headers: Record<string, string> = {},
    query = '',
    options: { reconnect?: boolean } = {},
  ) => {
    const c = await SseClient.open(
      streamUrl(instance, query),
      { cookie: b.cookie ?? '', ...headers },
      options,
    );
    if (c.status === 200) await c.waitForReady();
    return c;
  };
  const placeOrder = async (b: Browser, instance: number) => {
    const res = await b.post(instance, '/api/orders', { items: [{ sku: 'PEN-4C', quantity: 1 }] });
    expect(res.status).toBe(201);
    return res.body as { id: string; version: number };
  };
  const publishCreated = (customerId: string, n: number) => publishOrderCreated(data, customerId, n);
  const gauges = async (instance: number) => {
    const url = stack.gateways[instance].url;
    return {
      connections: await readMetric(url, 'gateway_sse_connections'),
      feeds: await readMetric(url, 'gateway_sse_feeds'),
    };
  };

  it('an anonymous stream is 401 with a JSON body; a sixth stream of one user is 429', async () => {
    const anon = await SseClient.open(streamUrl(0));
    await waitFor('the 401 body', () => anon.ended || anon.body.length > 0);
    expect(anon.status).toBe(401);
    await waitFor('the whole body', () => anon.ended);
    expect(JSON.parse(anon.body)).toMatchObject({ code: 'E_UNAUTHENTICATED' });

    const b = await stack.browser().signIn(0, username('many'));
    const five = await Promise.all(Array.from({ length: 5 }, () => open(b, 0)));
    expect(five.map((c) => c.status)).toEqual([200, 200, 200, 200, 200]);
    const sixth = await open(b, 0);
    await waitFor('the 429 body', () => sixth.ended);
    expect(sixth.status).toBe(429);
    expect(JSON.parse(sixth.body)).toMatchObject({ code: 'E_TOO_MANY_STREAMS' });
    for (const c of five) c.close();
    await waitFor('the streams are gone', async () => (await gauges(0)).connections === 0);
  });

  it('a stream ends when its session is logged out on the other gateway; another session of the same user keeps its stream', async () => {
    const name = username('logout');
    const laptop = await stack.browser().signIn(0, name);
    const phone = await stack.browser().signIn(1, name);
    const ended = await open(laptop, 0);
    const kept = await open(phone, 0);
    const before = await readMetric(stack.gateways[0].url, 'gateway_sse_session_ended_total');
    const laptopCookie = laptop.cookie ?? '';

    expect((await laptop.post(1, '/api/auth/logout')).status).toBe(204);
    await waitFor('the logged-out stream to end', () => ended.ended, { timeoutMs: 3000 });
    expect(await readMetric(stack.gateways[0].url, 'gateway_sse_session_ended_total')).toBe(before + 1);
    // Its browser reconnects with the cookie it had: no session behind it any more.
    const again = await SseClient.open(streamUrl(0), { cookie: laptopCookie });
    await waitFor('the 401', () => again.ended);
    expect(again.status).toBe(401);

    // The phone's session was not touched: its stream is open and still live.
    await new Promise((r) => setTimeout(r, 700)); // two more checks
    expect(kept.ended).toBe(false);
    const order = await placeOrder(phone, 1);
    await waitFor('the order on the phone', () => kept.messages().some((m) => m.orderId === order.id));
    kept.close();
    await waitFor('the streams are gone', async () => (await gauges(0)).connections === 0);
  });

  it('a client on gateway A gets an order placed through gateway B within 1 s (retry and heartbeats sent)', async () => {
    const b = await stack.browser().signIn(0, username('live'));
    const sse = await open(b, 0);
    expect(sse.status).toBe(200);
    await waitFor('retry sent', () => sse.retry !== undefined);
    expect(sse.retry).toBe(500);
    const placedAt = performance.now();
    const order = await placeOrder(b, 1);
    await sse.waitForMessages(1, 5000);
    const [n] = sse.messages();
    const latency = sse.notificationEvents()[0].at - placedAt;
    console.log(`order placed via B -> notification on A's stream: ${latency.toFixed(1)} ms`);
    expect(n).toMatchObject({ kind: 'order.created', orderId: order.id });
    expect(sse.notificationEvents()[0].id).toBe(n.id);
    expect(latency).toBeLessThan(1000);
    await waitFor('a heartbeat comment', () => sse.comments > 0, { timeoutMs: 3000 });
    sse.close();
  });

  it('reconnecting with Last-Event-ID to the other instance gives exactly the missed events, in order, then live ones', async () => {
    const b = await stack.browser().signIn(0, username('resume'));
    const first = await open(b, 0);
    const order = await placeOrder(b, 0);
    await first.waitForMessages(1);
    const seen = first.lastEventId as string;
    first.close();

    // Missed while disconnected: two more orders and a cancellation.
    const more = [await placeOrder(b, 1), await placeOrder(b, 0)];
    const cancelled = await b.post(1, `/api/orders/${order.id}/cancel`);
    expect(cancelled.status).toBe(200);
    await waitFor('3 more in the feed', async () => {
      const list = await b.get(1, '/api/notifications');
      return list.status === 200 && list.body.items.length >= 4;
    });

    const second = await open(b, 1, { 'last-event-id': seen });
    await second.waitForMessages(3);
    const missed = second.messages();
    // In feed order: what the feed holds after `seen`, oldest first. Not necessarily the order the
    // actions were taken in: each orders instance's outbox relays its own events, and two notifications
    // instances may store two events in either order.
    const feed = (await b.get(1, '/api/notifications')).body.items as Array<{
      id: string;
      kind: string;
      orderId: string;
    }>;
    const after = [...feed].reverse().filter((n) => compareStreamIds(n.id, seen) > 0);
    expect(missed.map((m) => [m.id, m.kind, m.orderId])).toEqual(after.map((n) => [n.id, n.kind, n.orderId]));
    expect(missed.map((m) => `${m.kind} ${m.orderId}`).sort()).toEqual(
      [`order.created ${more[0].id}`, `order.created ${more[1].id}`, `order.cancelled ${order.id}`].sort(),
    );
    const ids = second.notificationEvents().map((e) => e.id as string);
    expect([...ids].sort(compareStreamIds)).toEqual(ids);
    expect(ids[0] > seen || compareStreamIds(seen, ids[0]) < 0).toBe(true);

    // Then live, on the same connection, once each.
    const later = await placeOrder(b, 0);
    await second.waitForMessages(4);
    expect(second.messages()[3]).toMatchObject({ orderId: later.id });
    await new Promise((r) => setTimeout(r, 300));
    expect(second.messages()).toHaveLength(4);
    second.close();

    // A page opening a new EventSource on another instance passes its id as ?lastEventId=.
    const third = await open(b, 0, {}, `?lastEventId=${encodeURIComponent(seen)}`);
    await third.waitForMessages(4);
    expect(third.messages().map((m) => m.id)).toEqual(second.messages().map((m) => m.id));
    third.close();
  });

  it('an unknown Last-Event-ID gets a reset event with the latest notifications', async () => {
    const b = await stack.browser().signIn(0, username('reset'));
    const watcher = await open(b, 1);
    await placeOrder(b, 0);
    await watcher.waitForMessages(1);
    watcher.close();
    for (const bogus of ['1-0', 'not-an-id']) {
      const sse = await open(b, 1, { 'last-event-id': bogus });
      await waitFor('the reset', () => sse.events.some((e) => e.event === 'reset'));
      const reset = sse.events.find((e) => e.event === 'reset');
      const { items } = JSON.parse(reset?.data ?? '{}') as { items: Array<{ id: string }> };
      expect(items.map((i) => i.id)).toEqual(watcher.messages().map((m) => m.id));
      expect(reset?.id).toBe(items[items.length - 1].id);
      sse.close();
    }
  });

  it('the feed routes: list newest first, unread count, mark one and all read; bad ids are 400', async () => {
    const b = await stack.browser().signIn(0, username('feed'));
    const sse = await open(b, 0);
    await placeOrder(b, 0);
    await placeOrder(b, 1);
    await sse.waitForMessages(2);
    sse.close();
    const list = await b.get(1, '/api/notifications?limit=1');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: sse.messages()[1].id, read: false });
    expect(typeof list.body.nextCursor).toBe('string');
    const page2 = await b.get(0, `/api/notifications?limit=1&cursor=${list.body.nextCursor}`);
    expect(page2.body.items.map((n: { id: string }) => n.id)).toEqual([sse.messages()[0].id]);
    expect((await b.get(0, '/api/notifications/unread-count')).body).toEqual({ unread: 2 });
    const one = await b.post(1, `/api/notifications/${sse.messages()[0].id}/read`);
    expect([one.status, one.body]).toEqual([200, { unread: 1 }]);
    const all = await b.post(0, '/api/notifications/read-all');
    expect([all.status, all.body]).toEqual([200, { unread: 0 }]);
    const bad = await b.post(0, '/api/notifications/..%2F..%2Fx/read');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ message: ['id must be a notification id (<ms>-<seq>)'] });
    const other = await stack.browser().signIn(1, username('other'));
    const foreign = await other.post(0, `/api/notifications/${sse.messages()[0].id}/read`);
    expect(foreign.status).toBe(404);
  });

  it('100 clients over both gateways all get a burst of 1,000 events once each, and leave no listener behind', async () => {
    // One after the other: 20 scrypt logins at once starve a loaded machine (the login limiter then fails closed).
    const users: Array<{ b: Browser; id: string }> = [];
    for (let i = 0; i < 20; i++) {
      const b = await stack.browser().signIn(i % 2, username('burst'));
      const me = await b.get(0, '/api/auth/me');
      users.push({ b, id: me.body.id as string });
    }
    const clients = await Promise.all(
      // Like browsers: a stream the gateway ends (a gap it could not read under load) is reopened with
      // its Last-Event-ID, and must still give each notification once, in order.
      users.flatMap(({ b }) =>
        Array.from({ length: 5 }, (_, k) => open(b, k % 2, {}, '', { reconnect: true })),
      ),
    );
    expect(clients.every((c) => c.status === 200)).toBe(true);
    // Streams earlier tests closed are gone from the gauges once the gateways have seen the sockets close.
    await waitFor('only these 100 streams open', async () => {
      const [a, b] = await Promise.all([gauges(0), gauges(1)]);
      return a.connections + b.connections === 100;
    });
    const before = await Promise.all([gauges(0), gauges(1)]);
    expect(before[0].connections + before[1].connections).toBe(100);
    // Every stream is live (open() waited for its ready): the burst comes after each one's start.

    const started = performance.now();
    await Promise.all(
      users.map(({ id }, u) =>
        (async () => {
          for (let n = 0; n < 50; n++) await publishCreated(id, u * 1000 + n);
        })(),
      ),
    );
    await waitFor('every client has its 50', () => clients.every((c) => c.messages().length >= 50), {
      timeoutMs: 30_000,
    });
    console.log(
      `1,000 events to 100 SSE clients over 2 gateways: ${(performance.now() - started).toFixed(0)} ms, ${clients.reduce((n, c) => n + c.reconnects, 0)} reconnects`,
    );
    await new Promise((r) => setTimeout(r, 300));
    clients.forEach((c, i) => {
      const { id } = users[Math.floor(i / 5)];
      const got = c.messages<{ id: string; customerId: string; orderId: string }>();
      expect(got).toHaveLength(50);
      expect(new Set(got.map((m) => m.id)).size).toBe(50);
      expect(got.every((m) => m.customerId === id)).toBe(true);
      expect([...got.map((m) => m.id)].sort(compareStreamIds)).toEqual(got.map((m) => m.id));
    });

    for (const c of clients) c.close();
    await waitFor('no stream or feed listener left on either gateway', async () => {
      const g = await Promise.all([gauges(0), gauges(1)]);
      return g.every((x) => x.connections === 0 && x.feeds === 0);
    });
  });

  it('the admin view lists every instance of every service with its figures; customers are refused', async () => {
    const admin = await stack.admin(1);
    await waitFor('all six instances reported', async () => {
      const res = await admin.get(0, '/api/admin/instances');
      return res.status === 200 && res.body.items.length === 6;
    });
    const { items } = (await admin.get(1, '/api/admin/instances')).body as {
      items: Array<{
        service: string;
        instance: string;
        figures: { cache: { hits: number }; http: { requests: number } };
      }>;
    };
    expect(items.map((i) => `${i.service}/${i.instance}`)).toEqual([
      'gateway/gateway-0',
      'gateway/gateway-1',
      'notifications/notifications-0',
      'notifications/notifications-1',
      'orders/orders-0',
      'orders/orders-1',
    ]);
    expect(items.filter((i) => i.service === 'gateway').every((i) => i.figures.http.requests > 0)).toBe(true);
    const customer = await stack.browser().signIn(0, username('nosy'));
    expect((await customer.get(0, '/api/admin/instances')).status).toBe(403);
    expect((await stack.browser().get(0, '/api/admin/instances')).status).toBe(401);
  });

  it('SIGTERM ends the streams of the stopping gateway; the client resumes on the other with nothing lost', async () => {
    const b = await stack.browser().signIn(1, username('term'));
    const sse = await open(b, 0);
    await placeOrder(b, 1);
    await sse.waitForMessages(1);
    const stopping = stack.gateways[0].stop();
    await waitFor('the stream ended by the shutdown', () => sse.ended, { timeoutMs: 5000 });
    await stopping;
    const meanwhile = await placeOrder(b, 1);
    const resumed = await open(b, 1, { 'last-event-id': sse.lastEventId as string });
    await resumed.waitForMessages(1);
    expect(resumed.messages().map((m) => m.orderId)).toEqual([meanwhile.id]);
    resumed.close();
  });
});
