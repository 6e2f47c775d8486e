// npm run bench:notifications — live notifications from order event to SSE client, one run, two paths:
//   durable   the system as it runs: an `orders.order.status_changed` (paid) event XADDed to the orders
//             events stream -> a notifications instance (2, one consumer group) writes the user's capped
//             feed and publishes to the fan-out stream -> each of 2 gateways pushes it to its SSE clients
//             (GET /api/notifications/stream, session cookie). No loss on reconnect, instance or Redis
//             restart; resume with Last-Event-ID on any gateway.
//   pub/sub   the seed page's plain recipe (bench/pubsub-peer.ts, 2 instances): PUBLISH on one channel,
//             every instance writes it to its clients. Nothing stored: the floor, and what it costs to
//             not lose anything.
// 100 SSE clients (one per user, alternating instances) for each path; events go out at BENCH_RATE
// per second (1,000), spread over the users, in alternating rounds of BENCH_ROUND_S seconds so machine
// drift hits both alike. Latency is from just before the XADD/PUBLISH to the client having parsed the
// event, both in this process (one clock). Each round checks every event arrived at its user once.
// Table (delivered/s, p50/p90/p99/max over all rounds, lost, duplicates) printed and written to
// reports/bench-notifications.md. Target (issue 12): durable p99 under 50 ms.
import 'reflect-metadata';
import { ORDERS_EVENTS, type OrderEventBase } from '@shop/contracts';
import { encode, newMessageId } from '@shop/messaging';
import { RedisConnections } from '@shop/redis';
import {
  freePort,
  runBench,
  sleep,
  startServiceProcess,
  waitFor,
  workspaceRoot,
  writeBenchReport,
  type ServiceProcess,
} from '@shop/testing';
import { Redis } from 'ioredis';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startGatewayStack, username } from '../test/gateway-harness';
import { SseClient } from '../test/sse-client';

/** The channel the pub/sub peers subscribe to. */
const PEER_CHANNEL = 'bench:notifications';
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 100);
const ROUND_S = Number(process.env['BENCH_ROUND_S'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/**
 * Orders instances running beside the path (their own consumers of the same events compete for the
 * same cores; none is on the measured path). 2, as the system runs; 0 to see what the path costs alone.
 */
const ORDERS_INSTANCES = Number(process.env['BENCH_ORDERS'] ?? 2);
const WARMUP_S = Number(process.env['BENCH_WARMUP_S'] ?? 3);
/** How long after the last send a round waits for stragglers before counting them lost. */
const DRAIN_MS = 10_000;

interface Path {
  name: string;
  clients: SseClient[];
  /** User id of clients[i]. */
  users: string[];
  /** Events of each client already counted by an earlier round. */
  seen: number[];
  send(userId: string, orderId: string): Promise<unknown>;
}
interface Measured {
  latenciesMs: number[];
  /**
   * The durable path split at the feed write, from the feed entry id (Redis' clock in ms, this host's):
   * event XADD -> notification stored, and stored -> parsed by the client.
   */
  toFeedMs: number[];
  feedToClientMs: number[];
  delivered: number;
  seconds: number;
  lost: number;
  duplicates: number;
  misrouted: number;
}

const pct = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

let orderSeq = 0;
const nextOrderId = () => `ord_bench${String(orderSeq++).padStart(20, '0')}`;

/** Sends `RATE` events per second for `seconds`, round-robin over the users; waits for delivery. */
async function round(path: Path, seconds: number, into?: Measured): Promise<void> {
  const sentAt = new Map<string, { at: number; user: number }>();
  const total = Math.round(RATE * seconds);
  const sends: Array<Promise<unknown>> = [];
  const t0 = performance.now();
  let sent = 0;
  // Paced by the clock, not by a timer's promise: each tick sends what is due so far, so a late tick
  // catches up instead of slowing the rate.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * RATE) / 1000) + 1);
    for (; sent < due; sent++) {
      const user = sent % path.users.length;
      const orderId = nextOrderId();
      sentAt.set(orderId, { at: performance.now(), user });
      sends.push(path.send(path.users[user], orderId));
    }
    await sleep(2);
  }
  await Promise.all(sends);
  const sendEnd = performance.now();
  const arrived = () =>
    path.clients.reduce((n, c, i) => n + c.notificationEvents().length - path.seen[i], 0) >= total;
  await waitFor('the round delivered', arrived, { timeoutMs: DRAIN_MS }).catch(() => undefined);

  const got = new Map<string, number>();
  let last = sendEnd;
  let misrouted = 0;
  const latencies: number[] = [];
  const toFeed: number[] = [];
  const feedToClient: number[] = [];
  path.clients.forEach((c, i) => {
    const events = c.notificationEvents();
    for (const ev of events.slice(path.seen[i])) {
      const { orderId } = JSON.parse(ev.data) as { orderId: string };
      const sent = sentAt.get(orderId);
      if (!sent) continue;
      if (sent.user !== i) misrouted++;
      got.set(orderId, (got.get(orderId) ?? 0) + 1);
      latencies.push(ev.at - sent.at);
      const storedAt = ev.id ? Number(ev.id.split('-')[0]) : NaN; // pub/sub events carry no id
      if (!Number.isNaN(storedAt)) {
        toFeed.push(storedAt - (performance.timeOrigin + sent.at));
        feedToClient.push(performance.timeOrigin + ev.at - storedAt);
      }
      last = Math.max(last, ev.at);
    }
    path.seen[i] = events.length;
  });
  if (!into) return;
  into.latenciesMs.push(...latencies);
  into.toFeedMs.push(...toFeed);
  into.feedToClientMs.push(...feedToClient);
  into.delivered += latencies.length;
  into.seconds += (last - t0) / 1000;
  into.lost += total - got.size;
  into.duplicates += [...got.values()].reduce((n, k) => n + k - 1, 0);
  into.misrouted += misrouted;
}

/** Events as the orders outbox publishes them: a status change to paid (one customer notification). */
function durablePath(data: RedisConnections, users: string[], clients: SseClient[]): Path {
  const redis = data.shared('data', 'background');
  return {
    name: 'durable (streams + feed + fan-out)',
    clients,
    users,
    seen: clients.map(() => 0),
    send(customerId, orderId) {
      const event: OrderEventBase = {
        eventId: newMessageId(),
        orderId,
        customerId,
        version: 2,
        status: 'paid',
        total: 1234,
        items: [{ sku: 'PEN-4C', name: 'Pen', quantity: 1, unitPrice: 1234 }],
        at: new Date().toISOString(),
      };
      return redis.xadd(
        'shop:evt:{orders}',
        '*',
        ...encode({
          id: event.eventId,
          pattern: ORDERS_EVENTS.orderStatusChanged,
          data: event,
          sender: 'orders:bench',
          ts: Date.now(),
        }),
      );
    },
  };
}

function pubsubPath(publisher: Redis, users: string[], clients: SseClient[]): Path {
  return {
    name: 'pub/sub (no store, no resume)',
    clients,
    users,
    seen: clients.map(() => 0),
    send: (userId, orderId) => publisher.publish(PEER_CHANNEL, JSON.stringify({ userId, orderId })),
  };
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0].toFixed(2);
  const stack = await startGatewayStack({
    notifications: 2,
    orders: ORDERS_INSTANCES,
    gatewayEnv: { SSE_MAX_PER_USER: '5' },
    // The data Redis as production runs it (docker-compose, k8s): appendonly with the default fsync once a
    // second. The tests' `always` puts a disk flush in front of every reply on the path's 5 round trips.
    dataRedisArgs: ['--appendfsync', 'everysec'],
  });
  const peers: ServiceProcess[] = [];
  const all: SseClient[] = [];
  const data = new RedisConnections({
    url: stack.redis.url,
    keyPrefix: 'shop',
    connectionName: 'bench-events',
  });
  const publisher = new Redis(stack.redis.url);
  const measured: Record<string, Measured> = {};
  const paths: Path[] = [];
  try {
    // Sequential sign-ins: scrypt on 2 cores; 100 at once would trip the login limiter's fail-closed.
    const users: Array<{ id: string; cookie: string }> = [];
    for (let i = 0; i < CLIENTS; i++) {
      const b = await stack.browser().signIn(i % 2, username('bench'));
      const me = await b.get(0, '/api/auth/me');
      users.push({ id: me.body.id as string, cookie: b.cookie ?? '' });
    }
    const durableClients = await Promise.all(
      users.map(async (u, i) => {
        const c = await SseClient.open(
          `${stack.gateways[i % 2].url}/api/notifications/stream`,
          { cookie: u.cookie },
          { reconnect: true },
        );
        if (c.status !== 200) throw new Error(`gateway stream answered ${c.status}: ${c.body}`);
        await c.waitForReady();
        return c;
      }),
    );
    all.push(...durableClients);

    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      peers.push(
        await startServiceProcess({
          name: `pubsub-peer-${i}`,
          entry: join(workspaceRoot(), 'apps/gateway/bench/pubsub-peer.ts'),
          port,
          readyTimeoutMs: 60_000,
          env: { PORT: String(port), REDIS_URL: stack.redis.url, PEER_CHANNEL },
        }),
      );
    }
    const peerClients = await Promise.all(
      users.map(async (u, i) => {
        const c = await SseClient.open(`${peers[i % 2].url}/stream?user=${encodeURIComponent(u.id)}`);
        await c.waitForReady();
        return c;
      }),
    );
    all.push(...peerClients);

    const ids = users.map((u) => u.id);
    paths.push(durablePath(data, ids, durableClients), pubsubPath(publisher, ids, peerClients));
    for (const p of paths) {
      measured[p.name] = {
        latenciesMs: [],
        toFeedMs: [],
        feedToClientMs: [],
        delivered: 0,
        seconds: 0,
        lost: 0,
        duplicates: 0,
        misrouted: 0,
      };
      await round(p, WARMUP_S);
    }
    for (let r = 0; r < ROUNDS; r++)
      for (const p of paths) {
        await round(p, ROUND_S, measured[p.name]);
        const m = measured[p.name];
        console.log(`round ${r + 1} ${p.name}: ${m.delivered} delivered so far, ${m.lost} lost`);
      }
  } finally {
    for (const c of all) c.close();
    await Promise.all(peers.map((p) => p.stop()));
    publisher.disconnect();
    await data.close();
    await stack.dispose();
  }

  const lines = [
    `notifications bench: ${CLIENTS} SSE clients over 2 instances per path, ${RATE} events/s, ${ROUNDS} alternating rounds of ${ROUND_S} s; ` +
      `${cpus().length} cores, load ${loadBefore} before`,
    '',
    '| path | delivered/s | p50 ms | p90 ms | p99 ms | max ms | lost | duplicates | misrouted |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows = paths.map((p) => {
    const m = measured[p.name];
    const sorted = [...m.latenciesMs].sort((a, b) => a - b);
    const row = {
      path: p.name,
      deliveredPerSec: Math.round(m.delivered / m.seconds),
      p50Ms: +pct(sorted, 50).toFixed(1),
      p90Ms: +pct(sorted, 90).toFixed(1),
      p99Ms: +pct(sorted, 99).toFixed(1),
      maxMs: +(sorted[sorted.length - 1] ?? NaN).toFixed(1),
      lost: m.lost,
      duplicates: m.duplicates,
      misrouted: m.misrouted,
    };
    lines.push(
      `| ${row.path} | ${row.deliveredPerSec} | ${row.p50Ms} | ${row.p90Ms} | ${row.p99Ms} | ${row.maxMs} | ${row.lost} | ${row.duplicates} | ${row.misrouted} |`,
    );
    return row;
  });
  const [durable, floor] = rows;
  const split = (name: string, xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `${name} p50 ${pct(sorted, 50).toFixed(1)} / p90 ${pct(sorted, 90).toFixed(1)} / p99 ${pct(sorted, 99).toFixed(1)} ms`;
  };
  const m = measured[paths[0].name];
  lines.push(
    '',
    `durable path split at the feed write (entry id, 1 ms resolution): ${split('event -> stored', m.toFeedMs)}; ${split('stored -> client', m.feedToClientMs)}`,
    `durable/pub-sub: p50 ${(durable.p50Ms / floor.p50Ms).toFixed(2)}x, p99 ${(durable.p99Ms / floor.p99Ms).toFixed(2)}x the latency; ` +
      `target durable p99 < 50 ms: ${durable.p99Ms < 50 ? 'met' : 'NOT met'}`,
  );
  writeBenchReport('notifications', lines.join('\n'), rows);
  if (durable.lost + durable.duplicates + durable.misrouted > 0)
    throw new Error('the durable path lost, duplicated or misrouted notifications (see the table)');
}

runBench(main);
