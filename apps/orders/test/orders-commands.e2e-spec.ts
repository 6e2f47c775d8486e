import {
  ORDER_STATUSES,
  ORDERS_COMMANDS as C,
  canTransition,
  type Order,
  type OrderStatus,
  type Page,
  type Product,
} from '@shop/contracts';
import { describeEachDialect, waitFor } from '@shop/testing';
import { admin, alice, bob, metric, startOrdersStack, type OrdersStack } from './orders-harness';

// The orders service as two separate processes over the real Streams transport, a real Redis (data and
// cache apart) and a real database of each dialect.
describeEachDialect('orders commands', (dialect) => {
  let s: OrdersStack;
  let keyN = 0;
  const key = () => `e2e-key-${dialect}-${++keyN}`;
  const create = (caller = alice, items = [{ sku: 'MUG-RED', quantity: 2 }]) =>
    s.call<Order>(C.create, { caller, idempotencyKey: key(), items });
  /** Waits until the order's row reaches `version` (a write-behind step is persisted a moment later). */
  const persistedAt = (id: string, version: number) =>
    waitFor(`order ${id} persisted at version ${version}`, async () => {
      const r = await s.db.selectFrom('orders').select('version').where('id', '=', id).executeTakeFirst();
      return r?.version === version;
    });
  const orderCount = async () =>
    Number(
      (
        await s.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    s = await startOrdersStack(dialect, 2);
  });
  afterAll(async () => {
    await s?.dispose();
  });

  describe('catalog (cache-aside)', () => {
    it('lists the seeded catalog in pages with a cursor, active products only for customers', async () => {
      const first = await s.call<Page<Product>>(C.listProducts, { caller: alice, limit: 4 });
      expect(first.items).toHaveLength(4);
      expect(first.nextCursor).toBeDefined();
      const rest = await s.call<Page<Product>>(C.listProducts, {
        caller: alice,
        limit: 100,
        cursor: first.nextCursor,
      });
      const skus = [...first.items, ...rest.items].map((p) => p.sku);
      expect(skus).toEqual([...skus].sort());
      expect(new Set(skus).size).toBe(10);
      expect(rest.nextCursor).toBeUndefined();
      expect((await s.fail(C.listProducts, { caller: alice, cursor: 'bm90LWEtc2t1' })).remoteCode).toBe(
        'E_BAD_CURSOR',
      );
      expect((await s.fail(C.listProducts, { caller: alice, limit: 101 })).remoteCode).toBe('E_VALIDATION');
    });

    it('lets admins create, update and deactivate; customers are refused and then see no inactive product', async () => {
      expect(
        (await s.fail(C.createProduct, { caller: alice, sku: 'HAT-1', name: 'Hat', price: 100 })).remoteCode,
      ).toBe('E_FORBIDDEN');
      const hat = await s.call<Product>(C.createProduct, {
        caller: admin,
        sku: 'HAT-1',
        name: 'Hat',
        price: 100,
      });
      expect(hat).toMatchObject({ sku: 'HAT-1', price: 100, active: true, version: 1 });
      expect(
        (await s.fail(C.createProduct, { caller: admin, sku: 'HAT-1', name: 'Hat', price: 100 })).remoteCode,
      ).toBe('E_PRODUCT_EXISTS');
      expect((await s.call<Product>(C.getProduct, { caller: alice, sku: 'HAT-1' })).price).toBe(100);
      const stale = await s.fail(C.updateProduct, {
        caller: admin,
        sku: 'HAT-1',
        price: 150,
        expectedVersion: 7,
      });
      expect(stale.remoteCode).toBe('E_VERSION_CONFLICT');
      await s.call<Product>(C.updateProduct, { caller: admin, sku: 'HAT-1', price: 150, expectedVersion: 1 });
      await s.call<Product>(C.deactivateProduct, { caller: admin, sku: 'HAT-1' });
      expect((await s.fail(C.getProduct, { caller: alice, sku: 'HAT-1' })).remoteCode).toBe('E_NOT_FOUND');
      expect((await s.call<Product>(C.getProduct, { caller: admin, sku: 'HAT-1' })).active).toBe(false);
      const orderable = await s.fail(C.create, {
        caller: alice,
        idempotencyKey: key(),
        items: [{ sku: 'HAT-1', quantity: 1 }],
      });
      expect(orderable.remoteCode).toBe('E_UNKNOWN_PRODUCT');
    });

    it('a price change is seen by the next read on either instance', async () => {
      // Warm both instances' caches: commands are spread over the group, so 20 reads reach both.
      for (let i = 0; i < 20; i++)
        expect((await s.call<Product>(C.getProduct, { caller: alice, sku: 'CAP-01' })).price).toBe(1899);
      for (const proc of s.instances)
        expect(await metric(proc, 'orders_cache_reads_total', 'path="product"')).toBeGreaterThan(0);
      await s.call<Product>(C.updateProduct, { caller: admin, sku: 'CAP-01', price: 2099 });
      const seen = await Promise.all(
        Array.from({ length: 20 }, () => s.call<Product>(C.getProduct, { caller: alice, sku: 'CAP-01' })),
      );
      expect(seen.map((p) => p.price)).toEqual(Array(20).fill(2099));
    });

    it('reindex bumps the catalog namespace: every cached catalog entry is reloaded', async () => {
      await s.call(C.getProduct, { caller: alice, sku: 'PEN-4C' });
      const loads = async () => {
        let n = 0;
        for (const proc of s.instances) n += await metric(proc, 'orders_cache_loads_total', 'path="product"');
        return n;
      };
      const before = await loads();
      await s.call(C.getProduct, { caller: alice, sku: 'PEN-4C' });
      expect(await loads()).toBe(before); // a hit
      expect((await s.fail(C.reindexCatalog, { caller: alice })).remoteCode).toBe('E_FORBIDDEN');
      expect(await s.call(C.reindexCatalog, { caller: admin })).toEqual({ invalidated: true });
      await s.call(C.getProduct, { caller: alice, sku: 'PEN-4C' });
      expect(await loads()).toBe(before + 1);
    });
  });

  describe('orders', () => {
    it('creates with prices from the catalog and the total computed by the service', async () => {
      const order = await create(alice, [
        { sku: 'MUG-RED', quantity: 2 },
        { sku: 'PEN-4C', quantity: 3 },
      ]);
      expect(order).toMatchObject({
        customerId: 'alice',
        status: 'pending',
        version: 1,
        total: 2 * 1299 + 3 * 399,
        items: [
          { sku: 'MUG-RED', name: 'Red mug', unitPrice: 1299, quantity: 2 },
          { sku: 'PEN-4C', name: 'Four-colour pen', unitPrice: 399, quantity: 3 },
        ],
      });
      expect(await s.call<Order>(C.get, { caller: alice, id: order.id })).toEqual(order);
    });

    it('idempotent create: 20 concurrent creates with one key over 2 instances make one order, same id for all', async () => {
      const before = await orderCount();
      const k = key();
      const body = { caller: bob, idempotencyKey: k, items: [{ sku: 'TEE-M', quantity: 1 }] };
      const all = await Promise.all(Array.from({ length: 20 }, () => s.call<Order>(C.create, body)));
      expect(new Set(all.map((o) => o.id)).size).toBe(1);
      expect(await orderCount()).toBe(before + 1);
      const mismatch = await s.fail(C.create, { ...body, items: [{ sku: 'TEE-M', quantity: 2 }] });
      expect(mismatch).toMatchObject({ remoteCode: 'E_IDEMPOTENCY_MISMATCH', status: 422 });
      // The key is per customer: alice may use the same one.
      const hers = await s.call<Order>(C.create, { ...body, caller: alice });
      expect(hers.id).not.toBe(all[0].id);
    });

    it('walks the whole status machine: every allowed step applies, every other is E_INVALID_TRANSITION naming both', async () => {
      const path: Record<OrderStatus, OrderStatus[]> = {
        pending: [],
        paid: ['paid'],
        shipped: ['paid', 'shipped'],
        delivered: ['paid', 'shipped', 'delivered'],
        cancelled: ['cancelled'],
      };
      for (const from of ORDER_STATUSES) {
        for (const to of ORDER_STATUSES) {
          const order = await create(alice, [{ sku: 'STICKER-10', quantity: 1 }]);
          for (const step of path[from])
            await s.call(C.changeStatus, { caller: admin, id: order.id, status: step });
          if (canTransition(from, to)) {
            const moved = await s.call<Order>(C.changeStatus, { caller: admin, id: order.id, status: to });
            expect([from, moved.status]).toEqual([from, to]);
            expect((await s.call<Order>(C.get, { caller: alice, id: order.id })).status).toBe(to); // at once
            // Persisted (write-behind, or write-through for cancel) with one version per step.
            await waitFor('persisted', async () => {
              const row = await s.db
                .selectFrom('orders')
                .select(['status', 'version'])
                .where('id', '=', order.id)
                .executeTakeFirst();
              return row?.status === to && row.version === path[from].length + 2 ? true : undefined;
            });
          } else {
            const err = await s.fail(C.changeStatus, { caller: admin, id: order.id, status: to });
            expect([from, to, err.remoteCode, err.status]).toEqual([from, to, 'E_INVALID_TRANSITION', 409]);
            expect(err.message).toContain(`from ${from} to ${to}`);
            expect((await s.call<Order>(C.get, { caller: admin, id: order.id })).status).toBe(from);
          }
        }
      }
    });

    it('refuses a stale write with E_VERSION_CONFLICT and applies the fresh one (write-through, read back on both instances)', async () => {
      const order = await create();
      const updated = await s.call<Order>(C.updateItems, {
        caller: alice,
        id: order.id,
        expectedVersion: 1,
        items: [{ sku: 'BAG-TOTE', quantity: 4 }],
      });
      expect(updated).toMatchObject({
        version: 2,
        total: 4 * 1599,
        items: [{ sku: 'BAG-TOTE', quantity: 4 }],
      });
      const stale = await s.fail(C.updateItems, {
        caller: alice,
        id: order.id,
        expectedVersion: 1,
        items: [{ sku: 'PEN-4C', quantity: 1 }],
      });
      expect(stale).toMatchObject({ remoteCode: 'E_VERSION_CONFLICT', status: 409 });
      const reads = await Promise.all(
        Array.from({ length: 20 }, () => s.call<Order>(C.get, { caller: alice, id: order.id })),
      );
      expect(reads.every((o) => o.version === 2 && o.total === 4 * 1599)).toBe(true);
      const row = await s.db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', order.id)
        .executeTakeFirstOrThrow();
      expect([row.version, Number(row.total_cents)]).toEqual([2, 4 * 1599]);
      await s.call(C.changeStatus, { caller: admin, id: order.id, status: 'paid' });
      // The payment is write-behind: the row reaches version 3 when it is persisted, a moment later.
      await persistedAt(order.id, 3);
      const locked = await s.fail(C.updateItems, {
        caller: alice,
        id: order.id,
        expectedVersion: 3,
        items: [{ sku: 'PEN-4C', quantity: 1 }],
      });
      expect(locked.remoteCode).toBe('E_NOT_EDITABLE');
    });

    it('answers a stale expectedVersion on an order its state no longer lets change by its state, not E_VERSION_CONFLICT', async () => {
      // A version conflict tells the client to read again and retry; on a paid, shipped or cancelled
      // order no retry can ever apply, so the state's refusal must win whatever version came with it.
      const itemsAt = (id: string, expectedVersion: number) =>
        s.fail(C.updateItems, {
          caller: alice,
          id,
          expectedVersion,
          items: [{ sku: 'PEN-4C', quantity: 1 }],
        });
      const order = await create();
      await s.call(C.updateItems, {
        caller: alice,
        id: order.id,
        expectedVersion: 1,
        items: [{ sku: 'TEE-M', quantity: 1 }],
      });
      // Still pending: a stale version is a conflict, as before.
      expect((await itemsAt(order.id, 1)).remoteCode).toBe('E_VERSION_CONFLICT');
      expect(
        (await s.fail(C.changeStatus, { caller: alice, id: order.id, status: 'paid', expectedVersion: 1 }))
          .remoteCode,
      ).toBe('E_VERSION_CONFLICT');
      await s.call(C.changeStatus, { caller: alice, id: order.id, status: 'paid', expectedVersion: 2 });
      // At once (the payment only in the write-behind register, the row still pending at version 2) ...
      expect((await itemsAt(order.id, 1)).remoteCode).toBe('E_NOT_EDITABLE');
      await persistedAt(order.id, 3);
      // ... and once persisted (row paid at version 3).
      for (const v of [1, 2, 4])
        expect([v, (await itemsAt(order.id, v)).remoteCode]).toEqual([v, 'E_NOT_EDITABLE']);
      // Status steps: a step the state refuses is E_INVALID_TRANSITION whatever the version.
      await s.call(C.changeStatus, { caller: admin, id: order.id, status: 'shipped' });
      expect((await s.fail(C.cancel, { caller: alice, id: order.id, expectedVersion: 1 })).remoteCode).toBe(
        'E_INVALID_TRANSITION',
      );
      expect(
        (await s.fail(C.changeStatus, { caller: alice, id: order.id, status: 'paid', expectedVersion: 2 }))
          .remoteCode,
      ).toBe('E_INVALID_TRANSITION');
      const cancelled = await create();
      await s.call(C.cancel, { caller: alice, id: cancelled.id });
      expect((await itemsAt(cancelled.id, 1)).remoteCode).toBe('E_NOT_EDITABLE');
      expect(
        (
          await s.fail(C.changeStatus, {
            caller: admin,
            id: cancelled.id,
            status: 'shipped',
            expectedVersion: 1,
          })
        ).remoteCode,
      ).toBe('E_INVALID_TRANSITION');
    });

    it('ends with the cache equal to the row after concurrent changes of one order from both instances', async () => {
      // paid (admin), cancel (customer) and cancelled (admin) at once: the older commit's cache write could
      // land last and stay cached (seen: 1-2 of 8 orders served "paid v2" while the row was "cancelled v3").
      for (let round = 0; round < 12; round++) {
        const order = await create();
        await Promise.allSettled([
          s.call(C.changeStatus, { caller: admin, id: order.id, status: 'paid' }),
          s.call(C.cancel, { caller: alice, id: order.id }),
          s.call(C.changeStatus, { caller: admin, id: order.id, status: 'cancelled' }),
        ]);
        // Once the write-behind has persisted, every read on both instances equals the row.
        let row = { status: '', version: 0 };
        let reads: string[] = [];
        const deadline = Date.now() + 10_000;
        do {
          await new Promise((r) => setTimeout(r, 50));
          row = await s.db
            .selectFrom('orders')
            .select(['status', 'version'])
            .where('id', '=', order.id)
            .executeTakeFirstOrThrow();
          reads = (
            await Promise.all(
              Array.from({ length: 8 }, () => s.call<Order>(C.get, { caller: admin, id: order.id })),
            )
          ).map((o) => `${o.status} v${o.version}`);
        } while (Date.now() < deadline && !reads.every((r) => r === `${row.status} v${row.version}`));
        expect(reads).toEqual(Array(8).fill(`${row.status} v${row.version}`));
      }
    });

    it('lists own orders for customers and all for admins, by status, with cursor pages of 1..100', async () => {
      const mine = [await create(bob), await create(bob), await create(bob)];
      await s.call(C.cancel, { caller: bob, id: mine[1].id });
      const p1 = await s.call<Page<Order>>(C.list, { caller: bob, limit: 2 });
      const p2 = await s.call<Page<Order>>(C.list, { caller: bob, limit: 2, cursor: p1.nextCursor });
      const ids = [...p1.items, ...p2.items].map((o) => o.id);
      expect(ids.slice(0, 3)).toEqual([mine[2].id, mine[1].id, mine[0].id]);
      const all = await s.call<Page<Order>>(C.list, { caller: bob, limit: 100 });
      expect(all.items.every((o) => o.customerId === 'bob')).toBe(true);
      const cancelled = await s.call<Page<Order>>(C.list, { caller: bob, status: 'cancelled', limit: 100 });
      expect(cancelled.items.map((o) => o.id)).toContain(mine[1].id);
      expect(cancelled.items.every((o) => o.status === 'cancelled')).toBe(true);
      const adminView = await s.call<Page<Order>>(C.list, { caller: admin, limit: 100 });
      expect(new Set(adminView.items.map((o) => o.customerId))).toEqual(new Set(['alice', 'bob']));
      for (const limit of [0, 101, 'x'])
        expect((await s.fail(C.list, { caller: bob, limit })).remoteCode).toBe('E_VALIDATION');
      // A new order shows on the list (the page was cached and is invalidated by the create). The list
      // may reach the other instance before the create's bus message does, so it is awaited, bounded.
      const fresh = await create(bob);
      await waitFor(
        'the new order first on the list',
        async () => (await s.call<Page<Order>>(C.list, { caller: bob, limit: 1 })).items[0].id === fresh.id,
        { timeoutMs: 2000 },
      );
    });

    it("never lets customer B read, list or change A's order: E_NOT_FOUND like a missing id", async () => {
      const order = await create(alice);
      const missing = 'ord_00000000000000000000000000';
      for (const id of [order.id, missing]) {
        expect((await s.fail(C.get, { caller: bob, id })).remoteCode).toBe('E_NOT_FOUND');
        expect(
          (
            await s.fail(C.updateItems, {
              caller: bob,
              id,
              expectedVersion: 1,
              items: [{ sku: 'PEN-4C', quantity: 1 }],
            })
          ).remoteCode,
        ).toBe('E_NOT_FOUND');
        expect((await s.fail(C.cancel, { caller: bob, id })).remoteCode).toBe('E_NOT_FOUND');
      }
      // An array as caller once listed every customer's orders (no owner filter).
      for (const caller of [[], [bob], [bob, admin]])
        expect((await s.fail(C.list, { caller, limit: 100 })).remoteCode).toBe('E_VALIDATION');
      const bobs = await s.call<Page<Order>>(C.list, { caller: bob, limit: 100 });
      expect(bobs.items.map((o) => o.id)).not.toContain(order.id);
      // Paying is the customer's own step: B cannot pay A's order (not found), nor ship it (forbidden).
      expect((await s.fail(C.changeStatus, { caller: bob, id: order.id, status: 'paid' })).remoteCode).toBe(
        'E_NOT_FOUND',
      );
      expect(
        (await s.fail(C.changeStatus, { caller: bob, id: order.id, status: 'shipped' })).remoteCode,
      ).toBe('E_FORBIDDEN');
      expect((await s.fail(C.delete, { caller: alice, id: order.id })).remoteCode).toBe('E_FORBIDDEN');
      expect(await s.call<Order>(C.get, { caller: alice, id: order.id })).toMatchObject({
        status: 'pending',
        version: 1,
      });
      // Alice pays her own order; shipping it stays the admins'.
      expect(
        (await s.call<Order>(C.changeStatus, { caller: alice, id: order.id, status: 'paid' })).status,
      ).toBe('paid');
      expect(
        (await s.fail(C.changeStatus, { caller: alice, id: order.id, status: 'shipped' })).remoteCode,
      ).toBe('E_FORBIDDEN');
    });

    it('sets a tracking note on a paid order, cancels, and deletes (admin), each gone from every cache', async () => {
      const order = await create(alice);
      expect(
        (await s.fail(C.setTracking, { caller: admin, id: order.id, note: 'at depot' })).remoteCode,
      ).toBe('E_NOT_EDITABLE');
      await s.call(C.changeStatus, { caller: admin, id: order.id, status: 'paid' });
      const noted = await s.call<Order>(C.setTracking, { caller: admin, id: order.id, note: 'at depot' });
      expect(noted.trackingNote).toBe('at depot');
      const cancelled = await s.call<Order>(C.cancel, { caller: alice, id: order.id });
      expect(cancelled.status).toBe('cancelled');
      expect((await s.fail(C.cancel, { caller: alice, id: order.id })).remoteCode).toBe(
        'E_INVALID_TRANSITION',
      );
      expect(await s.call(C.delete, { caller: admin, id: order.id })).toEqual({
        deleted: true,
        customerId: order.customerId,
      });
      for (let i = 0; i < 6; i++)
        expect((await s.fail(C.get, { caller: admin, id: order.id })).remoteCode).toBe('E_NOT_FOUND');
      expect((await s.fail(C.delete, { caller: admin, id: order.id })).remoteCode).toBe('E_NOT_FOUND');
    });

    it.each([
      ['wrong types', { idempotencyKey: 42, items: 'many' }],
      ['a zero quantity', { items: [{ sku: 'MUG-RED', quantity: 0 }] }],
      ['a negative quantity', { items: [{ sku: 'MUG-RED', quantity: -1 }] }],
      ['an unknown field', { items: [{ sku: 'MUG-RED', quantity: 1 }], coupon: 'FREE' }],
      [
        '10,000 items',
        { items: Array.from({ length: 10_000 }, (_, i) => ({ sku: `SKU-${i}`, quantity: 1 })) },
      ],
      ['a client-supplied price', { items: [{ sku: 'MUG-RED', quantity: 1, unitPrice: 1 }] }],
      ['an odd sku', { items: [{ sku: '../etc/passwd', quantity: 1 }] }],
      [
        'a forged caller role',
        { caller: { userId: 'alice', role: 'root' }, items: [{ sku: 'MUG-RED', quantity: 1 }] },
      ],
    ])('refuses %s with a coded validation error and writes nothing', async (_name, patch) => {
      const before = await orderCount();
      const err = await s.fail(C.create, { caller: alice, idempotencyKey: key(), ...patch });
      expect(err).toMatchObject({ code: 'E_REMOTE', remoteCode: 'E_VALIDATION', status: 400 });
      expect(await orderCount()).toBe(before);
      // The process keeps serving.
      expect(await create()).toMatchObject({ status: 'pending' });
    });

    it('commits an outbox event with every change, published to the orders event stream', async () => {
      const order = await create(alice);
      await s.call(C.changeStatus, { caller: admin, id: order.id, status: 'paid' });
      await s.call(C.cancel, { caller: alice, id: order.id });
      const deadline = Date.now() + 10_000;
      type Data = { orderId: string; version: number; eventId: string };
      let events: { pattern: string; data: Data; id: string }[] = [];
      while (Date.now() < deadline) {
        events = (await s.events())
          .map((e) => ({ pattern: e.pattern, data: e.data as Data, id: e.id }))
          .filter((e) => e.data.orderId === order.id);
        if (events.length >= 3) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(events.map((e) => [e.pattern, e.data.version])).toEqual([
        ['orders.order.created', 1],
        ['orders.order.status_changed', 2],
        ['orders.order.cancelled', 3],
      ]);
      expect(events.map((e) => e.data.eventId)).toEqual(events.map((e) => e.id));
      expect(new Set(events.map((e) => e.id)).size).toBe(3);
    });
  });
});
