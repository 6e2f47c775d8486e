import { RedisConnections } from '@shop/redis';
import { sleep, waitFor } from '@shop/testing';
import { startGatewayStack, username, type Browser, type GatewayStack } from './gateway-harness';
import { compareStreamIds } from '../src/app/notifications/stream-id';
import { publishOrderCreated } from './order-events';
import { SseClient } from './sse-client';

/**
 * Live notifications when a part of the system is away while browsers hold streams: every notifications
 * instance stopped across a reconnect, and the data Redis paused (SIGSTOP, a hung host) under open
 * streams. What a browser must see either way: each notification once, in feed order, none missing.
 */
describe('live notifications through outages (2 gateways, 2 notifications instances)', () => {
  let stack: GatewayStack;
  let data: RedisConnections;
  let orderNo = 0;

  beforeAll(async () => {
    stack = await startGatewayStack({
      notifications: 2,
      gatewayEnv: { SSE_HEARTBEAT_MS: '1000', SSE_RETRY_MS: '300' },
    });
    data = new RedisConnections({ url: stack.redis.url, keyPrefix: 'shop', connectionName: 'e2e-faults' });
  });

  afterAll(async () => {
    await data?.close();
    await stack?.dispose();
  });

  const signIn = async (instance: number) => {
    const b = await stack.browser().signIn(instance, username('outage'));
    const me = await b.get(instance, '/api/auth/me');
    return { b, id: me.body.id as string };
  };
  /** Like a browser's EventSource: reopened with its Last-Event-ID whenever the gateway ends it. */
  const open = async (b: Browser, instance: number, headers: Record<string, string> = {}) => {
    const c = await SseClient.open(
      `${stack.gateways[instance].url}/api/notifications/stream`,
      { cookie: b.cookie ?? '', ...headers },
      { reconnect: true },
    );
    expect(c.status).toBe(200);
    await c.waitForReady();
    return c;
  };
  const publish = async (customerId: string, count: number) => {
    const orderIds: string[] = [];
    for (let i = 0; i < count; i++) {
      orderNo += 1;
      await publishOrderCreated(data, customerId, orderNo);
      orderIds.push(`ord_${String(orderNo).padStart(26, '0')}`);
    }
    return orderIds;
  };
  /**
   * Every order once, in feed order (ids strictly rising). Not necessarily in the order published: two
   * notifications instances may store two events of one customer in either order.
   */
  const expectExactly = (c: SseClient, orderIds: string[]) => {
    const got = c.messages<{ id: string; orderId: string }>();
    expect(got.map((m) => m.orderId).sort()).toEqual([...orderIds].sort());
    const ids = got.map((m) => m.id);
    expect(ids).toEqual([...new Set(ids)].sort(compareStreamIds));
  };

  it('every notifications instance down across a reconnect to the other gateway: what was published meanwhile arrives once, in feed order, when one is back', async () => {
    const user = await signIn(0);
    const first = await open(user.b, 0);
    const before = await publish(user.id, 3);
    await first.waitForMessages(3);

    await Promise.all(stack.notifications.map((p) => p.stop()));
    // The browser moves to gateway 1 while the service that reads feeds is away: its resume cannot be
    // read, the gateway ends the stream and the client keeps retrying with the same Last-Event-ID.
    const lastSeen = first.lastEventId ?? '';
    first.close();
    const moved = await SseClient.open(
      `${stack.gateways[1].url}/api/notifications/stream`,
      { cookie: user.b.cookie ?? '', 'last-event-id': lastSeen },
      { reconnect: true },
    );
    expect(moved.status).toBe(200);
    const during = await publish(user.id, 4); // waits in the orders event stream, read by nobody yet
    await sleep(500);
    expect(moved.messages()).toHaveLength(0);

    await stack.restart('notifications', 0);
    await waitFor('the missed notifications on gateway 1', () => moved.messages().length >= 4, {
      timeoutMs: 20_000,
    });
    const after = await publish(user.id, 2); // live again
    await moved.waitForMessages(6, 10_000);
    await sleep(300); // nothing more may come
    expectExactly(first, before);
    expectExactly(moved, [...during, ...after]);
    expect(moved.messages()[0].id > lastSeen).toBe(true);
    moved.close();
    await stack.restart('notifications', 1);
  });

  it('the data Redis paused for 2 s under open streams on both gateways: events before and after the pause arrive once each, in feed order', async () => {
    const user = await signIn(1);
    const streams = [await open(user.b, 0), await open(user.b, 1)];
    const before = await publish(user.id, 3);
    for (const c of streams) await c.waitForMessages(3);

    const resume = await stack.redis.pause();
    try {
      await sleep(2000); // the fan-out readers' XREADs and the heartbeats' sockets wait on a hung host
      // The gateways keep answering without Redis: a request fails fast instead of hanging.
      const started = performance.now();
      const res = await fetch(`${stack.gateways[0].url}/health/live`);
      expect(res.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      resume();
    }
    const after = await publish(user.id, 3);
    await waitFor('both streams have all 6', () => streams.every((c) => c.messages().length >= 6), {
      timeoutMs: 20_000,
    });
    await sleep(300);
    for (const c of streams) {
      expectExactly(c, [...before, ...after]);
      c.close();
    }
  });
});
