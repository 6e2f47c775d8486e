import { ORDERS_COMMANDS as C, type BoardAnswer, type CallerDto, type Order } from '@shop/contracts';
import { describeEachDialect, waitFor } from '@shop/testing';
import { encode } from '@shop/messaging';
import { admin, metric, startOrdersStack, type OrdersStack } from './orders-harness';

const customer = (userId: string): CallerDto => ({ userId, role: 'customer' });

// The boards fed by the service's own order events (its consumer group), over two instances.
describeEachDialect('orders leaderboards', (dialect) => {
  let s: OrdersStack;
  let n = 0;
  const buy = async (who: string, items: { sku: string; quantity: number }[]) => {
    const order = await s.call<Order>(C.create, {
      caller: customer(who),
      idempotencyKey: `board-${dialect}-${++n}`,
      items,
    });
    return s.call<Order>(C.changeStatus, { caller: admin, id: order.id, status: 'paid' });
  };
  const top = (board: string, period = 'all', limit = 10) =>
    s.call<BoardAnswer>(C.boardTop, { caller: admin, board, period, limit });
  const settled = (board: string, expected: (a: BoardAnswer) => boolean, period = 'all') =>
    waitFor(`board ${board} settled`, async () => {
      const a = await top(board, period);
      return expected(a) ? a : undefined;
    });

  beforeAll(async () => {
    s = await startOrdersStack(dialect, 2);
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('counts paid orders once, subtracts paid cancellations, and orders ties by who got there first', async () => {
    await buy('carol', [{ sku: 'MUG-RED', quantity: 2 }]); // 2598
    await buy('dave', [{ sku: 'MUG-BLUE', quantity: 2 }]); // 2598, later: ranks below carol
    const big = await buy('erin', [{ sku: 'BOOK-REDIS', quantity: 1 }]); // 3999
    const unpaid = await s.call<Order>(C.create, {
      caller: customer('frank'),
      idempotencyKey: `board-${dialect}-unpaid`,
      items: [{ sku: 'TEE-S', quantity: 9 }],
    });
    expect(unpaid.status).toBe('pending');
    const a = await settled('customers-by-spend', (x) => x.entries.length === 3);
    expect(a.source).toBe('redis');
    expect(a.entries).toEqual([
      { member: 'erin', score: 3999, rank: 1 },
      { member: 'carol', score: 2598, rank: 2 },
      { member: 'dave', score: 2598, rank: 3 },
    ]);
    await s.call(C.cancel, { caller: admin, id: big.id });
    const after = await settled('customers-by-spend', (x) => x.entries[0]?.member === 'carol');
    expect(after.entries.map((e) => [e.member, e.score])).toEqual([
      ['carol', 2598],
      ['dave', 2598],
      ['erin', 0],
    ]);
    const products = await settled('products-by-quantity', (x) => x.entries.length >= 2);
    expect(products.entries.slice(0, 2).map((e) => [e.member, e.score])).toEqual([
      ['MUG-RED', 2],
      ['MUG-BLUE', 2],
    ]);
    const week = await top('customers-by-spend', 'week');
    expect(week.entries.map((e) => e.member)).toEqual(after.entries.map((e) => e.member));
  });

  it('gives the same scores when the events are delivered twice', async () => {
    const before = await top('customers-by-spend');
    // Re-append every board-relevant event with its own envelope id, as a redelivery would.
    const events = (await s.events()).filter((e) => /status_changed|cancelled/.test(e.pattern));
    const duplicates = async () => {
      let sum = 0;
      for (const proc of s.instances)
        sum += await metric(proc, 'leaderboard_duplicates_skipped_total', 'board="customers-by-spend"');
      return sum;
    };
    const dupBefore = await duplicates();
    for (const e of events) await s.data.xadd('shop:evt:{orders}', '*', ...encode(e));
    await waitFor('the copies handled', async () => {
      const info = (await s.data.xinfo('GROUPS', 'shop:evt:{orders}')) as unknown[][];
      const orders = info.map((g) => Object.fromEntries(chunk(g))).find((g) => g['name'] === 'orders');
      return orders && Number(orders['lag'] ?? 0) === 0 && Number(orders['pending']) === 0 ? true : undefined;
    });
    expect(await top('customers-by-spend')).toEqual(before);
    // Each copy reached the board and was recognised (4 board events: 3 payments, 1 paid cancellation).
    expect(await duplicates()).toBe(dupBefore + 4);
  });

  it('answers around-me with ranks, and rebuilds from the database to the live board', async () => {
    const around = await s.call<BoardAnswer>(C.boardAround, {
      caller: customer('dave'),
      board: 'customers-by-spend',
      period: 'all',
      n: 1,
    });
    expect(around.entries.map((e) => [e.member, e.rank])).toEqual([
      ['carol', 1],
      ['dave', 2],
      ['erin', 3],
    ]);
    const live = {
      all: await top('customers-by-spend'),
      week: await top('customers-by-spend', 'week'),
      day: await top('customers-by-spend', 'day'),
    };
    const keys = await s.data.keys('shop:lb:{customers-by-spend}:*'); // test-only inspection of a tiny keyspace
    const weekKey = keys.find((k) => /:w:\d{4}-W\d{2}$/.test(k));
    const dayKey = keys.find((k) => /:d:\d{4}-\d{2}-\d{2}$/.test(k));
    expect(Number(await s.data.pexpiretime(weekKey as string))).toBeGreaterThan(Date.now());
    expect(Number(await s.data.pexpiretime(dayKey as string))).toBeGreaterThan(Date.now());
    expect(Number(await s.data.pexpiretime('shop:lb:{customers-by-spend}:all'))).toBe(-1);
    // A data loss of the board (not of the streams), then the rebuild.
    await s.data.del(...keys.filter((k) => !k.includes(':e:')));
    expect((await top('customers-by-spend')).entries).toEqual([]);
    expect(
      (await s.fail(C.boardRebuild, { caller: customer('dave'), board: 'customers-by-spend' })).remoteCode,
    ).toBe('E_FORBIDDEN');
    const rebuilt = await s.call<{ events: number }>(C.boardRebuild, {
      caller: admin,
      board: 'customers-by-spend',
    });
    expect(rebuilt.events).toBe(4);
    expect({
      all: await top('customers-by-spend'),
      week: await top('customers-by-spend', 'week'),
      day: await top('customers-by-spend', 'day'),
    }).toEqual(live);
  });
});

function chunk(flat: unknown[]): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([String(flat[i]), flat[i + 1]]);
  return out;
}
