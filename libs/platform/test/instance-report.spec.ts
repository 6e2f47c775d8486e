import { RedisConnections } from '@shop/redis';
import { startTestRedis, waitFor, type TestRedis } from '@shop/testing';
import { Counter, Histogram, Registry } from 'prom-client';
import { instanceFigures, InstanceReporter, readInstanceReports, type ServiceEnv } from '../src';

describe('instance figures', () => {
  it('sums the cache, bus, streams, rate-limit and http series an operator compares', async () => {
    const r = new Registry();
    const c = (name: string, labelNames: string[]) =>
      new Counter({ name, help: name, labelNames, registers: [r] });
    const hits = c('cache_hits_total', ['cache', 'tier']);
    const misses = c('cache_misses_total', ['cache', 'tier']);
    hits.inc({ cache: 'a', tier: 'l1' }, 6);
    hits.inc({ cache: 'a', tier: 'l2' }, 2);
    misses.inc({ cache: 'a', tier: 'l1' }, 4); // went on to L2: answered by the L2 hits above or missed
    misses.inc({ cache: 'a', tier: 'l2' }, 2);
    const bus = c('cache_bus_messages_total', ['cache', 'direction']);
    bus.inc({ cache: 'a', direction: 'out' }, 3);
    bus.inc({ cache: 'a', direction: 'in' }, 5);
    const handled = c('messaging_handled_total', ['stream', 'outcome']);
    handled.inc({ stream: 's', outcome: 'ack' }, 10);
    handled.inc({ stream: 's', outcome: 'dead_letter' }, 1);
    c('rate_limit_decisions_total', ['outcome', 'source']).inc({ outcome: 'denied', source: 'redis' }, 7);
    const h = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'h',
      labelNames: ['route'],
      registers: [r],
    });
    h.observe({ route: '/a' }, 0.01);
    h.observe({ route: '/b' }, 0.02);
    const f = await instanceFigures(r);
    expect(f.cache).toEqual({ hits: 8, misses: 2, hitRatio: 0.8 });
    expect(f.bus).toEqual({ published: 3, received: 5 });
    expect(f.streams).toMatchObject({ handled: 10, deadLetters: 1 });
    expect(f.rateLimit).toEqual({ allowed: 0, rejected: 7 });
    expect(f.http.requests).toBe(2);
    expect((await instanceFigures(new Registry())).cache.hitRatio).toBeNull();
  });
});

describe('InstanceReporter', () => {
  let redis: TestRedis;
  let connections: RedisConnections;

  beforeAll(async () => {
    redis = await startTestRedis();
    connections = new RedisConnections({ url: redis.url, keyPrefix: 'shop', connectionName: 'reports' });
    const client = connections.shared('data', 'request');
    await waitFor('the connection is up', () => client.status === 'ready');
  });

  afterAll(async () => {
    await connections.close();
    await redis.dispose();
  });

  const reporter = (service: string, instance: string, reportMs: number) =>
    new InstanceReporter(
      connections,
      { INSTANCE_ID: instance, INSTANCE_REPORT_MS: reportMs } as ServiceEnv,
      service,
    );

  it('lists every instance that reported; one that stops is gone at once, one that dies after 3 intervals', async () => {
    const a = reporter('orders', 'orders-0', 200);
    const b = reporter('orders', 'orders-1', 200);
    const g = reporter('gateway', 'gw-0', 200);
    await Promise.all([a.report(), b.report(), g.report()]);
    const all = await readInstanceReports(connections, 200);
    expect(all.map((x) => `${x.service}/${x.instance}`)).toEqual([
      'gateway/gw-0',
      'orders/orders-0',
      'orders/orders-1',
    ]);
    expect(all[0].figures.cache).toBeDefined();
    expect(all[0].reportedAt).toBeGreaterThan(Date.now() - 5000);

    await b.onApplicationShutdown();
    expect((await readInstanceReports(connections, 200)).map((x) => x.instance)).toEqual([
      'gw-0',
      'orders-0',
    ]);

    // g keeps reporting, a "dies" (no more reports): a is gone once its report's TTL has passed.
    const until = Date.now() + 900;
    while (Date.now() < until) {
      await g.report();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await readInstanceReports(connections, 200)).map((x) => x.instance)).toEqual(['gw-0']);
    expect(await connections.shared('data').ttl('shop:instances:{all}:index')).toBeGreaterThan(-1);
  });

  it('skips a report that is not one (null, a number, garbage) and lists the others', async () => {
    const ok = reporter('orders', 'orders-9', 1000);
    await ok.report();
    const data = connections.shared('data');
    for (const [id, value] of [
      ['x.null', 'null'],
      ['x.number', '42'],
      ['x.garbage', '{not json'],
    ]) {
      await data.set(`shop:instances:{all}:report:${id}`, value, 'PX', 5000);
      await data.zadd('shop:instances:{all}:index', Date.now(), id);
    }
    expect((await readInstanceReports(connections, 1000)).map((x) => x.instance)).toContain('orders-9');
    await ok.onApplicationShutdown();
  });

  it('a report with Redis down is skipped without throwing', async () => {
    const own = await startTestRedis();
    const c = new RedisConnections({ url: own.url, connectionName: 'down', commandTimeoutMs: 200 });
    try {
      await own.stop();
      const r = new InstanceReporter(c, { INSTANCE_ID: 'x', INSTANCE_REPORT_MS: 1000 } as ServiceEnv, 'svc');
      const started = Date.now();
      await expect(r.report()).resolves.toBeUndefined();
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await c.close();
      await own.dispose();
    }
  });
});
