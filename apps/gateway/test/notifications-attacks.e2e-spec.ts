import { RedisConnections } from '@shop/redis';
import { waitFor } from '@shop/testing';
import { startGatewayStack, username, type Browser, type GatewayStack } from './gateway-harness';
import { publishOrderCreated } from './order-events';
import { SseClient } from './sse-client';

/**
 * Live notifications under faults a browser cannot see. One gateway, one notifications instance, a
 * short live stream and a feed longer than one replay read.
 */
describe('gateway live notifications under a bad scheduler', () => {
  let stack: GatewayStack;
  let data: RedisConnections;

  beforeAll(async () => {
    stack = await startGatewayStack({
      gateways: 1,
      notifications: 1,
      gatewayEnv: { SSE_HEARTBEAT_MS: '1000' },
      notificationsEnv: { NOTIFICATIONS_LIVE_LENGTH: '100', NOTIFICATIONS_FEED_LENGTH: '1000' },
    });
    data = new RedisConnections({ url: stack.redis.url, keyPrefix: 'shop', connectionName: 'e2e-attacks' });
  });

  afterAll(async () => {
    await data?.close();
    await stack?.dispose();
  });

  const LIVE = 'shop:fan:{notifications}:live';
  const redis = () => data.shared('data', 'background');
  const open = (b: Browser, headers: Record<string, string> = {}) =>
    SseClient.open(`${stack.gateways[0].url}/api/notifications/stream`, {
      cookie: b.cookie ?? '',
      ...headers,
    });
  const signIn = async (prefix: string) => {
    const b = await stack.browser().signIn(0, username(prefix));
    const me = await b.get(0, '/api/auth/me');
    return { b, id: me.body.id as string };
  };
  let orderNo = 0;
  /** What the orders outbox would publish for a new order of `customerId`. */
  const publishCreated = (customerId: string) => publishOrderCreated(data, customerId, (orderNo += 1));
  const feedLength = (feed: string) => redis().xlen(`shop:notif:{${feed}}:stream`);
  /** A stream that is registered and placed in its feed: it has received one live entry. */
  const liveStream = async (who: { b: Browser; id: string }) => {
    const sse = await open(who.b);
    expect(sse.status).toBe(200);
    await waitFor('the stream is placed', () => sse.retry !== undefined);
    // The first connection reads the feed's newest id before it takes live entries: wait for one.
    await waitFor(
      'a live entry',
      async () => {
        if (sse.messages().length > 0) return true;
        await publishCreated(who.id);
        return false;
      },
      { timeoutMs: 10_000 },
    );
    // Settled: the stream has sent the feed's newest entry (no probe publish still on its way).
    await waitFor('the stream caught up', async () => {
      const [newest] = (await redis().xrevrange(
        `shop:notif:{${who.id}}:stream`,
        '+',
        '-',
        'COUNT',
        1,
      )) as Array<[string, string[]]>;
      return newest?.[0] === sse.lastEventId;
    });
    return sse;
  };

  it('a resume that missed more than one replay read gets all of it, with no later entry to trigger a read', async () => {
    const x = await signIn('longgap');
    const sse = await liveStream(x);
    const seen = sse.lastEventId as string;
    sse.close();
    const start = await feedLength(x.id);
    for (let i = 0; i < 600; i++) await publishCreated(x.id);
    await waitFor('600 more in the feed', async () => (await feedLength(x.id)) >= start + 600, {
      timeoutMs: 30_000,
    });
    // One `since` read returns at most 500: the rest must follow without a live entry to prompt it.
    const resumed = await open(x.b, { 'last-event-id': seen });
    await resumed.waitForMessages(600, 10_000);
    const ids = resumed.messages().map((m) => m.id);
    expect(new Set(ids).size).toBe(600);
    const feed = (await redis().xrange(`shop:notif:{${x.id}}:stream`, `(${seen}`, '+')) as Array<
      [string, string[]]
    >;
    expect(ids).toEqual(feed.map(([id]) => id));
    resumed.close();
  }, 60_000);

  it('a gateway paused while the live stream is trimmed past its entry still delivers it, without a later one', async () => {
    const x = await signIn('paused');
    const other = await signIn('noise');
    const sse = await liveStream(x);
    const before = sse.messages().length;
    const gateway = stack.gateways[0].pid;
    const newestLive = async () => {
      const [newest] = (await redis().xrevrange(LIVE, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
      return newest?.[0] ?? '0-0';
    };
    process.kill(gateway, 'SIGSTOP');
    try {
      // The paused gateway's XREAD (parked in Redis, or sent just before the pause) is answered by this
      // noise entry alone; its next XREAD goes out only after SIGCONT, when x's entry is trimmed.
      const noiseFeed = await feedLength(other.id);
      const was = await newestLive();
      await publishCreated(other.id);
      await waitFor('the noise on the live stream', async () => {
        const since = (await redis().xrange(LIVE, `(${was}`, '+')) as Array<[string, string[]]>;
        return since.some(([, f]) => f.join(' ').includes(`"feed":"${other.id}"`));
      });
      const xFeed = await feedLength(x.id);
      await publishCreated(x.id);
      await waitFor('the entry in the feed', async () => (await feedLength(x.id)) > xFeed, {
        timeoutMs: 10_000,
      });
      // Enough entries of another feed that MAXLEN ~ 100 drops x's live entry.
      for (let i = 0; i < 350; i++) await publishCreated(other.id);
      await waitFor('the noise in the feed', async () => (await feedLength(other.id)) >= noiseFeed + 351, {
        timeoutMs: 30_000,
      });
      const live = (await redis().xrange(LIVE, '-', '+')) as Array<[string, string[]]>;
      expect(live.some(([, f]) => f.join(' ').includes(`"feed":"${x.id}"`))).toBe(false);
    } finally {
      process.kill(gateway, 'SIGCONT');
    }
    await sse.waitForMessages(before + 1, 5000);
    expect(sse.messages()).toHaveLength(before + 1);
    sse.close();
  }, 60_000);
});
