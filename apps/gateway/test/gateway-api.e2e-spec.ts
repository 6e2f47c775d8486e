import SwaggerParser from '@apidevtools/swagger-parser';
import { ORDERS_COMMANDS } from '@shop/contracts';
import { RedisStreamsClient } from '@shop/messaging';
import { RedisConnections } from '@shop/redis';
import { waitFor } from '@shop/testing';
import { firstValueFrom } from 'rxjs';
import { startGatewayStack, username, type Browser, type GatewayStack } from './gateway-harness';

describe('gateway API: catalog, orders, leaderboards (2 gateway instances, 2 orders instances)', () => {
  let stack: GatewayStack;
  let admin: Browser;

  beforeAll(async () => {
    // Debug logs in orders: its per-message line shows which request id reached it.
    stack = await startGatewayStack({ ordersEnv: { LOG_LEVEL: 'debug' } });
    admin = await stack.admin(0);
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  describe('catalog', () => {
    it('a case-variant /API path meets the guards and the rate limit of /api (Express routes it alike)', async () => {
      const anon = stack.browser();
      const instances = await anon.get(0, '/API/admin/instances');
      const limited = await anon.get(0, '/API/products/MUG-BLUE');
      const customer = await stack.browser().signIn(0, username('casey'));
      const update = await customer.call(0, 'PUT', '/Api/products/MUG-BLUE', { body: { name: 'Other mug' } });
      expect({
        instances: instances.status,
        limited: limited.headers.get('ratelimit') !== null,
        update: [update.status, update.body?.code],
      }).toEqual({ instances: 401, limited: true, update: [403, 'E_FORBIDDEN'] });
    });

    it('public product reads: the view has no version; MISS then HIT on the other instance; ETag -> 304', async () => {
      const anon = stack.browser();
      const first = await anon.get(0, '/api/products/MUG-BLUE');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        sku: 'MUG-BLUE',
        name: 'Blue mug',
        price: 1299,
        active: true,
        updatedAt: expect.any(String),
      });
      expect(first.headers.get('x-request-id')).toEqual(expect.any(String));
      const second = await anon.get(1, '/api/products/MUG-BLUE');
      expect(['HIT', 'MISS']).toContain(first.headers.get('x-cache'));
      expect(second.headers.get('x-cache')).toBe('HIT');
      expect(second.headers.get('cache-control')).toBe('no-cache');
      const etag = second.headers.get('etag') as string;
      const revalidated = await anon.get(0, '/api/products/MUG-BLUE', { 'if-none-match': etag });
      expect(revalidated.status).toBe(304);
      expect(revalidated.text).toBe('');
      // A logged-in customer shares the public entry (the handler reads only the role).
      const customer = await stack.browser().signIn(1, username('shopper'));
      expect((await customer.get(1, '/api/products/MUG-BLUE')).headers.get('x-cache')).toBe('HIT');
    });

    it('bare repeats are answered before routing: the headers and body of a routed HIT, rate limited alike', async () => {
      const fastAnswers = async (instance: number) => {
        const text = (await stack.browser().get(instance, '/metrics')).text;
        const line = text
          .split('\n')
          .find((l) => l.startsWith('gateway_fast_path_answers_total{route="/api/products/:sku"'));
        return line === undefined ? 0 : Number(line.split(' ').pop());
      };
      const anon = stack.browser();
      const path = '/api/products/CAP-01';
      await anon.get(0, path); // the interceptor answers it (and remembers the URL)
      const before = await fastAnswers(0);
      const fast = await anon.get(0, path);
      expect(await fastAnswers(0)).toBe(before + 1);
      // An allow-listed analytics cookie shares the entry but is not bare: routed, guarded, intercepted.
      const routed = await anon.get(0, path, { cookie: '_ga=GA1.2.3' });
      expect(await fastAnswers(0)).toBe(before + 1);
      const volatile = new Set(['date', 'age', 'x-request-id', 'ratelimit', 'connection', 'keep-alive']);
      const stable = (h: Headers) => Object.fromEntries([...h].filter(([name]) => !volatile.has(name)));
      expect(fast.status).toBe(200);
      expect(fast.headers.get('x-cache')).toBe('HIT');
      expect(stable(fast.headers)).toEqual(stable(routed.headers));
      expect(fast.text).toBe(routed.text);
      for (const res of [fast, routed]) {
        expect(res.headers.get('ratelimit')).toMatch(/^"api";r=\d+;t=\d+$/);
        expect(res.headers.get('x-request-id')).toEqual(expect.any(String));
      }
      // The caller's request id is kept; a revalidation gets its 304 from the fast path too.
      const revalidated = await anon.get(0, path, {
        'if-none-match': fast.headers.get('etag') as string,
        'x-request-id': 'fast-path-e2e-1',
      });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.get('x-request-id')).toBe('fast-path-e2e-1');
      expect(await fastAnswers(0)).toBe(before + 2);
    });

    it('lists are { items, nextCursor } and page with the cursor', async () => {
      const anon = stack.browser();
      const page = await anon.get(0, '/api/products?limit=2');
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(2);
      expect(typeof page.body.nextCursor).toBe('string');
      expect(page.body.items[0]).not.toHaveProperty('version');
      const next = await anon.get(1, `/api/products?limit=2&cursor=${page.body.nextCursor}`);
      expect(next.body.items[0].sku > page.body.items[1].sku).toBe(true);
      const all = await anon.get(0, '/api/products?limit=100');
      expect(all.body.nextCursor).toBeNull();
    });

    it('a price change via gateway A is served by gateway B with the new price, MISS then HIT, within 100 ms', async () => {
      const anon = stack.browser();
      await anon.get(1, '/api/products/TEE-M');
      expect((await anon.get(1, '/api/products/TEE-M')).headers.get('x-cache')).toBe('HIT');
      const changed = await admin.call(0, 'PUT', '/api/products/TEE-M', { body: { price: 2999 } });
      expect(changed.status).toBe(200);
      expect(changed.body.price).toBe(2999);
      // The invalidation is published before the write is answered; B applies it when its bus message
      // arrives, a moment later (Redis may even write A's reply before B's message). Reads on B are
      // polled from the moment the PUT returned: the first one with the new price is a MISS.
      const changedAt = performance.now();
      let after = await anon.get(1, '/api/products/TEE-M');
      while (after.body.price !== 2999 && performance.now() - changedAt < 5000)
        after = await anon.get(1, '/api/products/TEE-M');
      const propagationMs = performance.now() - changedAt;
      expect(after.body.price).toBe(2999);
      expect(after.headers.get('x-cache')).toBe('MISS');
      console.log(`price change A -> B: new price served by B ${propagationMs.toFixed(1)} ms after the PUT`);
      expect(propagationMs).toBeLessThan(1000); // 100 ms on an idle machine; CI runs suites side by side
      // Then HIT with the new price: the change's own event (a second later, via the outbox) may drop
      // the entry once more, so the HIT is awaited rather than expected on the very next read.
      await waitFor(
        'a HIT with the new price on B',
        async () => {
          const res = await anon.get(1, '/api/products/TEE-M');
          return res.headers.get('x-cache') === 'HIT' && res.body.price === 2999;
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      expect((await anon.get(0, '/api/products/TEE-M')).body.price).toBe(2999);
    });

    it('a price change drops that product and the list pages only: another product stays a HIT on both instances', async () => {
      const anon = stack.browser();
      for (const instance of [0, 1]) {
        await anon.get(instance, '/api/products/CAP-01');
        expect((await anon.get(instance, '/api/products/CAP-01')).headers.get('x-cache')).toBe('HIT');
        await anon.get(instance, '/api/products?limit=100');
      }
      const changed = await admin.call(0, 'PUT', '/api/products/BAG-TOTE', { body: { price: 1799 } });
      expect(changed.status).toBe(200);
      // The list pages follow (read-your-writes on the other instance is the test above's subject).
      await waitFor('the list with the new price on B', async () => {
        const page = await anon.get(1, '/api/products?limit=100');
        return page.body.items.find((p: { sku: string }) => p.sku === 'BAG-TOTE')?.price === 1799;
      });
      for (const instance of [0, 1])
        expect((await anon.get(instance, '/api/products/CAP-01')).headers.get('x-cache')).toBe('HIT');
      // The change's own event (through the outbox, about a second later) names the product too.
      await new Promise((r) => setTimeout(r, 1500));
      for (const instance of [0, 1])
        expect((await anon.get(instance, '/api/products/CAP-01')).headers.get('x-cache')).toBe('HIT');
    });

    it('a change made behind the gateway (a command straight to orders) reaches the cached responses by its event', async () => {
      const anon = stack.browser();
      // Cached on B first. The previous test's price change also comes back as an event (about a second
      // later, through the outbox) and drops every catalog entry again, so wait for a HIT that lasts.
      await waitFor(
        'TEE-S cached on B',
        async () => {
          await anon.get(0, '/api/products/TEE-S');
          return (await anon.get(1, '/api/products/TEE-S')).headers.get('x-cache') === 'HIT';
        },
        { timeoutMs: 10_000, intervalMs: 200 },
      );
      const connections = new RedisConnections({
        url: stack.redis.url,
        keyPrefix: 'shop',
        connectionName: 'e2e-tool',
      });
      const tool = new RedisStreamsClient({
        connections,
        service: 'e2e',
        instanceId: 'tool',
        target: 'orders',
        timeoutMs: 5000,
      });
      try {
        await tool.connect();
        await firstValueFrom(
          tool.send(ORDERS_COMMANDS.updateProduct, {
            caller: { userId: 'ops', role: 'admin' },
            sku: 'TEE-S',
            price: 2222,
          }),
        );
      } finally {
        await tool.close();
        await connections.close();
      }
      // orders.product.changed -> the gateway group -> tag bump: both instances serve the new price.
      for (const i of [0, 1])
        await waitFor(
          'the new price on the gateway',
          async () => (await anon.get(i, '/api/products/TEE-S')).body.price === 2222,
          {
            timeoutMs: 10_000,
            intervalMs: 100,
          },
        );
    });

    it('admin only writes: 401 anonymous, 403 customer; create 201, deactivate hides it from customers', async () => {
      const product = { sku: 'E2E-KETTLE', name: 'Kettle', price: 4500 };
      expect((await stack.browser().post(0, '/api/products', product)).status).toBe(401);
      const customer = await stack.browser().signIn(0, username('cust'));
      const forbidden = await customer.post(1, '/api/products', product);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('E_FORBIDDEN');
      expect((await customer.call(0, 'PUT', '/api/products/MUG-RED', { body: { price: 1 } })).status).toBe(
        403,
      );
      expect((await customer.call(0, 'DELETE', '/api/products/MUG-RED')).status).toBe(403);
      const created = await admin.post(1, '/api/products', product);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject(product);
      expect((await admin.post(0, '/api/products', product)).status).toBe(409);
      expect((await stack.browser().get(0, '/api/products/E2E-KETTLE')).status).toBe(200);
      const gone = await admin.call(1, 'DELETE', '/api/products/E2E-KETTLE');
      expect(gone.status).toBe(200);
      expect(gone.body.active).toBe(false);
      expect((await stack.browser().get(0, '/api/products/E2E-KETTLE')).status).toBe(404);
      expect((await admin.get(0, '/api/products/E2E-KETTLE')).body.active).toBe(false);
    });
  });

  describe('orders', () => {
    it('create with Idempotency-Key: 201 with the order, the retry returns the same order, other items -> 422', async () => {
      const alice = await stack.browser().signIn(0, username('alice'));
      const body = { items: [{ sku: 'MUG-RED', quantity: 2 }] };
      const key = { 'idempotency-key': `key-${Date.now()}` };
      const created = await alice.post(0, '/api/orders', body, key);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.stringMatching(/^ord_/),
        items: [{ sku: 'MUG-RED', quantity: 2, unitPrice: 1299, name: 'Red mug' }],
        total: 2598,
        status: 'pending',
      });
      const retry = await alice.post(1, '/api/orders', body, key);
      expect([200, 201]).toContain(retry.status);
      expect(retry.body.id).toBe(created.body.id);
      const mismatch = await alice.post(0, '/api/orders', { items: [{ sku: 'MUG-RED', quantity: 3 }] }, key);
      expect(mismatch.status).toBe(422);
      expect(mismatch.body.code).toBe('E_IDEMPOTENCY_MISMATCH');
      expect((await alice.post(0, '/api/orders', body, { 'idempotency-key': 'short' })).status).toBe(400);
      expect((await alice.get(1, '/api/orders')).body.items).toHaveLength(1);
    });

    it('per-user cache: user B never receives user A’s cached order response; lists are own only', async () => {
      const a = await stack.browser().signIn(0, username('owner'));
      const b = await stack.browser().signIn(1, username('intruder'));
      const order = (await a.post(0, '/api/orders', { items: [{ sku: 'TEE-S', quantity: 1 }] })).body;
      const first = await a.get(0, `/api/orders/${order.id}`);
      const hit = await a.get(1, `/api/orders/${order.id}`);
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(hit.headers.get('cache-control')).toBe('private, no-cache');
      expect(hit.body).toEqual(first.body);
      for (const instance of [0, 1]) {
        const stolen = await b.get(instance, `/api/orders/${order.id}`);
        expect(stolen.status).toBe(404);
        expect(stolen.text).not.toContain(order.customerId);
      }
      expect((await stack.browser().get(0, `/api/orders/${order.id}`)).status).toBe(401);
      expect((await b.get(0, '/api/orders')).body).toEqual({ items: [], nextCursor: null });
      const adminView = await admin.get(1, `/api/orders/${order.id}`);
      expect(adminView.body.id).toBe(order.id);
      expect((await admin.get(0, '/api/orders?limit=100')).body.items.length).toBeGreaterThan(1);
    });

    it('status: a customer pays and cancels own orders, admins ship and deliver; the cached read follows on both instances', async () => {
      const c = await stack.browser().signIn(0, username('payer'));
      const order = (await c.post(0, '/api/orders', { items: [{ sku: 'MUG-BLUE', quantity: 1 }] })).body;
      expect((await c.get(1, `/api/orders/${order.id}`)).body.status).toBe('pending');
      const shipEarly = await c.call(0, 'PATCH', `/api/orders/${order.id}/status`, {
        body: { status: 'shipped' },
      });
      expect([403, 409]).toContain(shipEarly.status);
      const paid = await c.call(1, 'PATCH', `/api/orders/${order.id}/status`, { body: { status: 'paid' } });
      expect(paid.status).toBe(200);
      expect(paid.body.status).toBe('paid');
      expect((await c.get(0, `/api/orders/${order.id}`)).body.status).toBe('paid');
      const lines = await c.call(0, 'PATCH', `/api/orders/${order.id}`, {
        body: { items: [{ sku: 'MUG-BLUE', quantity: 5 }] },
      });
      expect(lines.status).toBe(409);
      const shipped = await admin.call(0, 'PATCH', `/api/orders/${order.id}/status`, {
        body: { status: 'shipped' },
      });
      expect(shipped.body.status).toBe('shipped');
      const tracked = await admin.call(1, 'PUT', `/api/orders/${order.id}/tracking`, {
        body: { note: 'DHL 123' },
      });
      expect(tracked.status).toBe(200);
      expect(tracked.body.trackingNote).toBe('DHL 123');
      expect(
        (await c.call(0, 'PUT', `/api/orders/${order.id}/tracking`, { body: { note: 'x' } })).status,
      ).toBe(403);
      const again = await c.get(1, `/api/orders/${order.id}`);
      expect(again.body).toMatchObject({ status: 'shipped', trackingNote: 'DHL 123' });
      const invalid = await admin.call(0, 'PATCH', `/api/orders/${order.id}/status`, {
        body: { status: 'pending' },
      });
      expect(invalid.status).toBe(409);
      expect(invalid.body.code).toBe('E_INVALID_TRANSITION');
    });

    it('items update (write-through), cancel, admin delete; a version conflict is 409', async () => {
      const c = await stack.browser().signIn(1, username('editor'));
      const order = (await c.post(1, '/api/orders', { items: [{ sku: 'TEE-L', quantity: 1 }] })).body;
      const updated = await c.call(0, 'PATCH', `/api/orders/${order.id}`, {
        body: { items: [{ sku: 'TEE-L', quantity: 3 }] },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.total).toBe(order.total * 3);
      expect((await c.get(1, `/api/orders/${order.id}`)).body.total).toBe(order.total * 3);
      const stale = await c.call(1, 'PATCH', `/api/orders/${order.id}`, {
        body: { items: [{ sku: 'TEE-L', quantity: 1 }], expectedVersion: order.version },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.code).toBe('E_VERSION_CONFLICT');
      const cancelled = await c.post(0, `/api/orders/${order.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect((await c.call(0, 'DELETE', `/api/orders/${order.id}`)).status).toBe(403);
      // The customer's list, cached on gateway 0, names the order until an admin deletes it on gateway 1.
      await c.get(0, '/api/orders');
      const listed = await c.get(0, '/api/orders');
      expect(listed.headers.get('x-cache')).toBe('HIT');
      expect(listed.body.items.map((o: { id: string }) => o.id)).toContain(order.id);
      expect((await admin.call(1, 'DELETE', `/api/orders/${order.id}`)).status).toBe(204);
      expect((await c.get(0, `/api/orders/${order.id}`)).status).toBe(404);
      expect((await admin.get(1, `/api/orders/${order.id}`)).status).toBe(404);
      expect((await c.get(0, '/api/orders')).body.items.map((o: { id: string }) => o.id)).not.toContain(
        order.id,
      );
      const again = await admin.call(0, 'DELETE', `/api/orders/${order.id}`);
      expect([again.status, again.body.code]).toEqual([404, 'E_NOT_FOUND']);
    });
  });

  describe('leaderboards', () => {
    it('top customers and products with rank and score; me with neighbours; null before my first order', async () => {
      const big = username('big');
      const spender = await stack.browser().signIn(0, big);
      const order = (await spender.post(0, '/api/orders', { items: [{ sku: 'TEE-L', quantity: 40 }] })).body;
      await spender.call(0, 'PATCH', `/api/orders/${order.id}/status`, { body: { status: 'paid' } });
      const board = await waitFor(
        'the payment on the board',
        async () => {
          const res = await stack.browser().get(1, '/api/leaderboards/customers?period=all&limit=5');
          return res.body.items?.[0]?.username === big ? res : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(board.body).toMatchObject({ period: 'all', nextCursor: null });
      expect(board.body.items[0]).toEqual({ rank: 1, score: order.total, username: big });
      expect(JSON.stringify(board.body)).not.toContain('u_');
      const products = await stack.browser().get(0, '/api/leaderboards/products?period=day');
      expect(products.body.items[0]).toMatchObject({ rank: 1, sku: 'TEE-L' });
      const me = await spender.get(1, '/api/leaderboards/customers/me?around=2');
      expect(me.body).toMatchObject({ rank: 1, score: order.total, above: [] });
      const newcomer = await stack.browser().signIn(1, username('new'));
      expect((await newcomer.get(0, '/api/leaderboards/customers/me')).body).toEqual({
        rank: null,
        score: null,
        above: [],
        below: [],
      });
      expect((await stack.browser().get(0, '/api/leaderboards/customers/me')).status).toBe(401);
      expect((await stack.browser().get(0, '/api/leaderboards/customers?period=year')).status).toBe(400);
      expect((await stack.browser().get(0, '/api/leaderboards/customers?limit=1000')).status).toBe(400);
    });
  });

  describe('bad input', () => {
    it('gets a clear 4xx JSON error with the request id; nothing is written; the process keeps serving', async () => {
      const c = await stack.browser().signIn(0, username('fuzzer'));
      const before = (await admin.get(0, '/api/orders?limit=100')).body.items.length;
      const expectError = (
        res: { status: number; body: { statusCode: number; message: unknown; requestId: string } },
        status: number,
        mentions?: RegExp,
      ) => {
        expect(res.status).toBe(status);
        expect(res.body).toMatchObject({ statusCode: status, requestId: expect.any(String) });
        if (mentions) expect(JSON.stringify(res.body.message)).toMatch(mentions);
      };
      expectError(
        await c.call(0, 'POST', '/api/orders', {
          raw: '{"items": [',
          headers: { 'content-type': 'application/json' },
        }),
        400,
        /malformed JSON/,
      );
      expectError(await c.post(1, '/api/orders', { items: 'MUG-RED' }), 400, /items/);
      expectError(
        await c.post(0, '/api/orders', { items: [{ sku: 'MUG-RED', quantity: '2' }] }),
        400,
        /quantity/,
      );
      expectError(
        await c.post(1, '/api/orders', { items: [{ sku: 'MUG-RED', quantity: 1, unitPrice: 1 }] }),
        400,
        /unitPrice/,
      );
      expectError(
        await c.post(0, '/api/orders', { items: [{ sku: 'MUG-RED', quantity: 1 }], total: 1 }),
        400,
        /total/,
      );
      expectError(await c.post(1, '/api/orders', { items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] }), 400);
      expectError(
        await c.call(0, 'POST', '/api/orders', {
          raw: JSON.stringify({ items: [{ sku: 'A'.repeat(1024 * 1024), quantity: 1 }] }),
          headers: { 'content-type': 'application/json' },
        }),
        413,
        /too large/,
      );
      for (const sku of ['MUG*', 'MUG%20RED', 'MUG%0D%0AX-Injected:%201', 'mug-red', 'MUG%2FRED']) {
        expectError(await c.get(0, `/api/products/${sku}`), 400, /sku/);
      }
      for (const id of ['123', '9'.repeat(400), 'ord_short', 'ord_01JD8X4Q5R6S7T8V9W0X1Y2Z3A']) {
        expectError(await c.get(1, `/api/orders/${id}`), 400, /order id/);
      }
      expectError(await c.get(0, '/api/products?limit=abc'), 400, /limit/);
      expectError(await c.get(0, '/api/products?cursor=%00'), 400, /cursor/);
      expectError(await c.get(0, '/api/no-such-route'), 404);
      expectError(
        await c.call(1, 'PATCH', '/api/orders/ord_01jd8x4q5r6s7t8v9w0x1y2z3a/status', {
          body: { status: 'teleported' },
        }),
        400,
        /status/,
      );
      expect((await admin.get(0, '/api/orders?limit=100')).body.items.length).toBe(before);
      expect((await c.get(0, '/api/products/MUG-RED')).status).toBe(200);
      expect((await c.get(1, '/health/ready')).status).toBe(200);
    });
  });

  describe('request ids', () => {
    it('travel in the command envelope: the orders service logs the gateway request’s id', async () => {
      const id = `e2e-trace-${Date.now()}`;
      const res = await stack.browser().get(1, '/api/products?limit=7', { 'x-request-id': id });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe(id);
      const line = await waitFor(
        'an orders log line with the id',
        () =>
          stack.orders
            .flatMap((p) => p.logs)
            .map((l) => {
              try {
                return JSON.parse(l) as { requestId?: string; msg?: string; pattern?: string };
              } catch {
                return {};
              }
            })
            .find((l) => l.requestId === id),
        { timeoutMs: 5000 },
      );
      expect(line).toMatchObject({ msg: 'message handled', pattern: 'orders.products.list' });
    });
  });

  describe('OpenAPI', () => {
    it('the document validates and lists every route of the contract with its error responses', async () => {
      const res = await stack.browser().get(0, '/api/docs-json');
      expect(res.status).toBe(200);
      const doc = res.body;
      await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
      expect(doc.openapi).toMatch(/^3\./);
      const routes: Array<[string, string]> = [
        ['post', '/api/auth/register'],
        ['post', '/api/auth/login'],
        ['post', '/api/auth/logout'],
        ['get', '/api/auth/me'],
        ['get', '/api/auth/sessions'],
        ['delete', '/api/auth/sessions/{id}'],
        ['delete', '/api/auth/sessions'],
        ['get', '/api/products'],
        ['get', '/api/products/{sku}'],
        ['post', '/api/products'],
        ['put', '/api/products/{sku}'],
        ['delete', '/api/products/{sku}'],
        ['get', '/api/orders'],
        ['get', '/api/orders/{id}'],
        ['post', '/api/orders'],
        ['patch', '/api/orders/{id}'],
        ['patch', '/api/orders/{id}/status'],
        ['put', '/api/orders/{id}/tracking'],
        ['post', '/api/orders/{id}/cancel'],
        ['delete', '/api/orders/{id}'],
        ['get', '/api/leaderboards/customers'],
        ['get', '/api/leaderboards/products'],
        ['get', '/api/leaderboards/customers/me'],
      ];
      for (const [method, path] of routes) {
        const op = doc.paths[path]?.[method];
        expect({ route: `${method} ${path}`, found: op !== undefined }).toEqual({
          route: `${method} ${path}`,
          found: true,
        });
        expect(Object.keys(op.responses).some((s) => s.startsWith('4'))).toBe(true);
      }
      expect(doc.paths['/api/orders'].post.requestBody).toBeDefined();
      const ui = await stack.browser().get(1, '/api/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
    });
  });
});
