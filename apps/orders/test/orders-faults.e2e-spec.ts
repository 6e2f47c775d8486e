import { ORDERS_COMMANDS as C, type Order, type Page, type Product } from '@shop/contracts';
import { MessagingError } from '@shop/messaging';
import { describeEachDialect, waitFor } from '@shop/testing';
import { admin, alice, metric, startOrdersStack, type OrdersStack } from './orders-harness';

describeEachDialect('orders under faults', (dialect) => {
  describe('killed between commit and publish', () => {
    let s: OrdersStack;
    beforeAll(async () => {
      s = await startOrdersStack(dialect, 0);
    });
    afterAll(async () => {
      await s?.dispose();
    });

    it('publishes the committed event after the restart, exactly once per consumer group', async () => {
      // A consumer group that exists before the event, as a consuming service's would.
      const data = () => s.events();
      await s.data.xgroup('CREATE', 'shop:evt:{orders}', 'probe', '0', 'MKSTREAM');
      const victim = await s.start(0, { ORDERS_TEST_FAULT: 'exit-after-commit' });
      const err = await s
        .call<Order>(C.create, {
          caller: alice,
          idempotencyKey: 'fault-key-0001',
          items: [{ sku: 'MUG-RED', quantity: 1 }],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(MessagingError);
      expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });
      const rows = await s.db.selectFrom('orders').select('id').execute();
      expect(rows).toHaveLength(1);
      const outbox = await s.db.selectFrom('outbox').selectAll().execute();
      expect(outbox.map((r) => [r.pattern, r.published_at])).toEqual([['orders.order.created', null]]);
      expect((await data()).filter((e) => e.pattern === 'orders.order.created')).toHaveLength(0);

      // The restart (same instance id) publishes it; the pending command re-runs as an idempotent replay.
      await s.start(0);
      const created = await waitFor('the created event', async () => {
        const evs = (await data()).filter((e) => e.pattern === 'orders.order.created');
        return evs.length > 0 ? evs : undefined;
      });
      await new Promise((r) => setTimeout(r, 1500)); // two more relay rounds: no second copy appears
      const after = (await data()).filter((e) => e.pattern === 'orders.order.created');
      expect(after).toHaveLength(1);
      expect((after[0].data as { orderId: string }).orderId).toBe(rows[0].id);
      expect(created[0].id).toBe(outbox[0].id);
      expect(await s.db.selectFrom('orders').select('id').execute()).toHaveLength(1);
      // The probe group is handed it once.
      const read = (await s.data.xreadgroup(
        'GROUP',
        'probe',
        'p-1',
        'COUNT',
        100,
        'STREAMS',
        'shop:evt:{orders}',
        '>',
      )) as [string, [string, string[]][]][] | null;
      const delivered = (read?.[0][1] ?? []).filter(([, f]) => f.join(' ').includes('orders.order.created'));
      expect(delivered).toHaveLength(1);
    });
  });

  describe('cache Redis stopped', () => {
    let s: OrdersStack;
    beforeAll(async () => {
      s = await startOrdersStack(dialect, 2);
    });
    afterAll(async () => {
      await s?.dispose();
    });

    it('answers every read from SQL and fails no write while the cache Redis is down, and recovers', async () => {
      const order = await s.call<Order>(C.create, {
        caller: alice,
        idempotencyKey: 'cache-down-0001',
        items: [{ sku: 'TEE-S', quantity: 1 }],
      });
      await s.call<Product>(C.getProduct, { caller: alice, sku: 'TEE-S' });
      await s.cacheRedis.stop();

      const loads = async () => {
        let n = 0;
        for (const proc of s.instances) n += await metric(proc, 'orders_cache_loads_total', 'path="product"');
        return n;
      };
      const loadsBefore = await loads();
      const started = Date.now();
      const product = await s.call<Product>(C.getProduct, { caller: alice, sku: 'BOOK-REDIS' });
      expect(product.price).toBe(3999);
      expect(await loads()).toBe(loadsBefore + 1); // loaded from SQL
      expect(
        (await s.call<Page<Product>>(C.listProducts, { caller: alice, limit: 100 })).items.length,
      ).toBeGreaterThanOrEqual(10);
      expect((await s.call<Order>(C.get, { caller: alice, id: order.id })).id).toBe(order.id);
      expect((await s.call<Page<Order>>(C.list, { caller: alice })).items.map((o) => o.id)).toContain(
        order.id,
      );

      // Writes commit (the cache is told nothing it cannot take) and what a read loads is the new row.
      const second = await s.call<Order>(C.create, {
        caller: alice,
        idempotencyKey: 'cache-down-0002',
        items: [{ sku: 'TEE-L', quantity: 2 }],
      });
      const updated = await s.call<Order>(C.updateItems, {
        caller: alice,
        id: second.id,
        expectedVersion: 1,
        items: [{ sku: 'TEE-L', quantity: 3 }],
      });
      expect(updated.version).toBe(2);
      await s.call<Product>(C.updateProduct, { caller: admin, sku: 'BOOK-REDIS', price: 4199 });
      const row = await s.db
        .selectFrom('product')
        .select('price_cents')
        .where('sku', '=', 'BOOK-REDIS')
        .executeTakeFirstOrThrow();
      expect(Number(row.price_cents)).toBe(4199);
      // Bounded: nothing waited on the dead Redis for long (command timeout 300 ms, then the breaker).
      expect(Date.now() - started).toBeLessThan(15_000);

      await s.cacheRedis.start();
      await waitFor('the cache Redis back in use', async () => {
        const res = await fetch(`${s.instances[0].url}/health/ready`);
        const body = (await res.json()) as { info?: Record<string, { status: string; state?: string }> };
        return res.status === 200 && JSON.stringify(body).includes('"up"') ? true : undefined;
      });
      expect((await s.call<Order>(C.get, { caller: alice, id: second.id })).version).toBe(2);
    });
  });
});
