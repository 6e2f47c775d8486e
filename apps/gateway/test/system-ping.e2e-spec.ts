import {
  createTestDatabase,
  startBuiltService,
  startTestRedis,
  waitFor,
  type ServiceProcess,
  type TestDatabase,
  type TestRedis,
} from '@shop/testing';

/** Gateway -> orders / notifications over the Redis Streams transport, every service as 2 processes. */
describe('gateway calls the other services over Redis Streams (2 instances each)', () => {
  let redis: TestRedis;
  const databases: TestDatabase[] = [];
  const procs: Record<string, ServiceProcess[]> = { gateway: [], orders: [], notifications: [] };

  const start = async (service: string, index: number) => {
    const database = await createTestDatabase('sqlite');
    databases.push(database);
    const proc = await startBuiltService({ service, index, redisUrl: redis.url, databaseUrl: database.url });
    procs[service].push(proc);
    return proc;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    for (const service of ['orders', 'notifications', 'gateway']) {
      await Promise.all([start(service, 0), start(service, 1)]);
    }
  });

  afterAll(async () => {
    await Promise.all(
      Object.values(procs)
        .flat()
        .map((p) => p.stop()),
    );
    await redis.dispose();
    await Promise.all(databases.map((d) => d.dispose()));
  });

  it('every ping is answered by exactly one instance of each service, spread over both', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const res = await fetch(`${procs['gateway'][i % 2].url}/system/ping`);
        expect(res.status).toBe(200);
        return (await res.json()) as {
          gateway: string;
          orders: { instance: string };
          notifications: { instance: string };
        };
      }),
    );
    expect(new Set(answers.map((a) => a.gateway))).toEqual(new Set(['gateway-0', 'gateway-1']));
    expect(new Set(answers.map((a) => a.orders.instance))).toEqual(new Set(['orders-0', 'orders-1']));
    expect(new Set(answers.map((a) => a.notifications.instance))).toEqual(
      new Set(['notifications-0', 'notifications-1']),
    );
  });

  it('answers 503 at once with a JSON error while the bus Redis is down, and recovers', async () => {
    const gateway = procs['gateway'][0];
    await redis.stop();
    try {
      const started = Date.now();
      const res = await fetch(`${gateway.url}/system/ping`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        statusCode: 503,
        code: 'E_UNAVAILABLE',
        requestId: expect.any(String),
      });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await redis.start();
    }
    await waitFor(
      'ping works again',
      async () => (await fetch(`${gateway.url}/system/ping`)).status === 200,
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  });

  it('answers 503 within about one command timeout while the bus Redis hangs (SIGSTOP), and recovers', async () => {
    // REDIS_COMMAND_TIMEOUT_MS is 500 (the default): one XADD times out, the outcome is unknown, the
    // caller gets 503 at once. Before, a fresh client's first connect waited 2 s more (2.5 s in total).
    const gateway = procs['gateway'][1];
    const resume = await redis.pause();
    try {
      const started = Date.now();
      const res = await fetch(`${gateway.url}/system/ping`);
      const elapsed = Date.now() - started;
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ statusCode: 503, code: 'E_OUTCOME_UNKNOWN' });
      expect(elapsed).toBeLessThan(1200);
    } finally {
      resume();
    }
    await waitFor(
      'ping works again',
      async () => (await fetch(`${gateway.url}/system/ping`)).status === 200,
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  });

  it('answers 504 when no orders instance is running', async () => {
    await Promise.all(procs['orders'].map((p) => p.stop()));
    const started = Date.now();
    const res = await fetch(`${procs['gateway'][1].url}/system/ping`);
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ code: 'E_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
