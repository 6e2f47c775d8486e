import { sleep } from '@shop/testing';
import { ADMIN, startGatewayStack, username, type GatewayStack } from './gateway-harness';

const LIMIT = 10;
const WINDOW_MS = 5000;

describe('gateway rate limits across 2 instances (TRUST_PROXY=1)', () => {
  let stack: GatewayStack;

  beforeAll(async () => {
    stack = await startGatewayStack({
      gatewayEnv: {
        TRUST_PROXY: '1',
        RATE_LIMIT_API: `${LIMIT}/${WINDOW_MS}ms`,
        // Exact: "at most L in any window" holds to the unit (the default counter mode is within one
        // unit for evenly spread traffic, proven in libs/rate-limit).
        RATE_LIMIT_API_MODE: 'log',
        RATE_LIMIT_LOGIN_USER: '3/1m',
      },
    });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  /** Every request from its own client address, as the trusted proxy reports it. */
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  it('2L requests spread over one window on both instances allow at most L; 429 with Retry-After and headers', async () => {
    const b = stack.browser();
    const results: Array<{
      status: number;
      headers: Headers;
      body: { code?: string; requestId?: string };
      sent: number;
      received: number;
    }> = [];
    // On a schedule over 60% of the window (not sleeps after each call), so slow calls do not stretch it.
    const started = Date.now();
    for (let i = 0; i < 2 * LIMIT; i++) {
      await sleep(started + (i * WINDOW_MS * 0.6) / (2 * LIMIT) - Date.now());
      const sent = Date.now();
      const res = await b.get(i % 2, '/api/products/MUG-RED', from('203.0.113.10'));
      results.push({ ...res, sent, received: Date.now() });
    }
    const allowedOnes = results.filter((r) => r.status === 200);
    // Never more than L in any window: for each allowed request, the allowed ones that surely were
    // decided within one window of it (sent after its answer minus the window) number at most L.
    for (const r of allowedOnes)
      expect(
        allowedOnes.filter((o) => o.sent <= r.received && o.sent > r.received - WINDOW_MS).length,
      ).toBeLessThanOrEqual(LIMIT);
    // Every one was decided inside the first window here (the usual case): then exactly L passed.
    if (Date.now() - started < WINDOW_MS) expect(allowedOnes).toHaveLength(LIMIT);
    const refused = results.find((r) => r.status === 429);
    expect(refused?.body).toMatchObject({
      statusCode: 429,
      code: 'E_RATE_LIMITED',
      requestId: expect.any(String),
    });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused?.headers.get('ratelimit-policy')).toBe(`"api";q=${LIMIT};w=${WINDOW_MS / 1000}`);
    expect(results[0].headers.get('ratelimit')).toMatch(/^"api";r=\d+;t=\d+$/);
    // Another client is not affected.
    expect((await b.get(1, '/api/products/MUG-RED', from('203.0.113.11'))).status).toBe(200);
  });

  it('the window slides: L more half a window later are refused, then granted once the first L left it', async () => {
    const b = stack.browser();
    const ip = from('203.0.113.20');
    const burst = async () =>
      (
        await Promise.all(Array.from({ length: LIMIT }, (_, i) => b.get(i % 2, '/api/products/MUG-RED', ip)))
      ).filter((r) => r.status === 200).length;
    expect(await burst()).toBe(LIMIT);
    const firstDone = Date.now(); // every one of the first L was counted by now
    // A fixed window whose edge fell in between would grant a fresh L here; a sliding one grants nothing.
    await sleep(firstDone + WINDOW_MS / 2 - Date.now());
    expect(await burst()).toBe(0);
    await sleep(firstDone + WINDOW_MS + 100 - Date.now());
    expect(await burst()).toBe(LIMIT);
  });

  it('health and metrics are never limited', async () => {
    const b = stack.browser();
    for (let i = 0; i < 3 * LIMIT; i++) {
      expect((await b.get(i % 2, '/health/live', from('203.0.113.30'))).status).toBe(200);
    }
    expect((await b.get(0, '/metrics', from('203.0.113.30'))).status).toBe(200);
  });

  it('login is limited per username across instances and addresses (exact log)', async () => {
    const name = username('target');
    await stack
      .browser()
      .post(0, '/api/auth/register', { username: name, password: 'the right one!' }, from('198.51.100.1'));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await stack
        .browser()
        .post(
          i % 2,
          '/api/auth/login',
          { username: name, password: 'guess number ' + i },
          from(`198.51.100.${10 + i}`),
        );
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });

  it('behind the trusted proxy with X-Forwarded-Proto: https the cookie is Secure with a __Host- name', async () => {
    const res = await stack
      .browser()
      .post(
        0,
        '/api/auth/login',
        { username: ADMIN.username, password: ADMIN.password },
        { ...from('198.51.100.99'), 'x-forwarded-proto': 'https' },
      );
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-sid='));
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
  });
});

describe('gateway with Redis trouble', () => {
  let stack: GatewayStack;

  beforeAll(async () => {
    stack = await startGatewayStack({ gatewayEnv: { RATE_LIMIT_LOGIN_IP: '1000/1m' } });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('data Redis stopped: catalog reads keep answering from the cache, login and orders answer 503 fast; all resumes', async () => {
    const customer = await stack.browser().signIn(0, username('during'));
    const anon = stack.browser();
    for (const i of [0, 1]) {
      await anon.get(i, '/api/products/MUG-RED');
      await anon.get(i, '/api/products?limit=5');
    }
    await stack.redis.stop();
    try {
      for (const i of [0, 1]) {
        const product = await anon.get(i, '/api/products/MUG-RED');
        expect(product.status).toBe(200);
        expect(['HIT', 'STALE']).toContain(product.headers.get('x-cache'));
        expect(product.body.sku).toBe('MUG-RED');
        expect((await anon.get(i, '/api/products?limit=5')).status).toBe(200);
        // Logged in: the session cannot be read, yet the public catalog still answers.
        expect((await customer.get(i, '/api/products/MUG-RED')).status).toBe(200);
      }
      const login = await stack.browser().login(0, ADMIN.username, ADMIN.password);
      expect(login.status).toBe(503);
      expect(login.ms).toBeLessThan(2000);
      const orders = await customer.get(1, '/api/orders');
      expect(orders.status).toBe(503);
      expect(orders.body).toMatchObject({ statusCode: 503, requestId: expect.any(String) });
      expect(orders.ms).toBeLessThan(2000);
      const uncached = await anon.get(0, '/api/products/TEE-S');
      expect(uncached.status).toBe(503);
      expect(uncached.ms).toBeLessThan(4000);
    } finally {
      await stack.redis.start();
    }
    await waitUntil200(() => stack.browser().login(1, ADMIN.username, ADMIN.password));
    await waitUntil200(() => customer.get(0, '/api/orders'));
  });

  it('cache Redis stopped: catalog reads are answered from the source (slower), writes still work', async () => {
    const admin = await stack.admin(1);
    await stack.cacheRedis.stop();
    try {
      const anon = stack.browser();
      for (const i of [0, 1]) {
        const res = await anon.get(i, '/api/products/TEE-L');
        expect(res.status).toBe(200);
        expect(res.ms).toBeLessThan(3000);
      }
      const changed = await admin.call(0, 'PUT', '/api/products/TEE-L', {
        body: { name: 'T-shirt, large (new)' },
      });
      expect(changed.status).toBe(200);
    } finally {
      await stack.cacheRedis.start();
    }
    await waitUntil200(() => stack.browser().get(1, '/api/products/TEE-L'));
  });
});

async function waitUntil200(call: () => Promise<{ status: number }>): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if ((await call()).status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`did not recover within 20 s: ${JSON.stringify(await call())}`);
    await sleep(200);
  }
}
