import { ADMINS_FEED, ORDERS_EVENTS as E, type OrderEventBase } from '@shop/contracts';
import { formatCents } from './money';
import { InvalidOrderEventError, notificationsFor } from './order-notification';

const event = (over: Partial<OrderEventBase> & Record<string, unknown> = {}): OrderEventBase => ({
  eventId: '6f1c1a52-3b7e-4a53-9d0e-1f2a3b4c5d6e',
  orderId: 'ord_01hzx0000000000000000000ab',
  customerId: 'u_alice',
  version: 1,
  status: 'pending',
  total: 1234,
  items: [{ sku: 'MUG-RED', name: 'Red mug', unitPrice: 1234, quantity: 1 }],
  at: '2026-12-02T10:00:00.000Z',
  ...over,
});

describe('formatCents', () => {
  it.each([
    [0, '€0.00'],
    [5, '€0.05'],
    [1234, '€12.34'],
    [100000, '€1,000.00'],
    [123456789, '€1,234,567.89'],
    [Number.MAX_SAFE_INTEGER, '€90,071,992,547,409.91'],
    [-250, '-€2.50'],
  ])('%d cents -> %s', (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  it('refuses what is not integer cents', () => {
    expect(() => formatCents(12.5)).toThrow(RangeError);
  });
});

describe('notificationsFor', () => {
  const o = 'Order ord_01hzx0000000000000000000ab';

  it('tells the customer, and the admins, about a new order', () => {
    expect(notificationsFor(E.orderCreated, event())).toEqual([
      {
        feed: 'u_alice',
        notification: {
          kind: 'order.created',
          orderId: 'ord_01hzx0000000000000000000ab',
          customerId: 'u_alice',
          status: 'pending',
          total: 1234,
          message: `${o} was placed (€12.34)`,
          at: '2026-12-02T10:00:00.000Z',
          eventId: '6f1c1a52-3b7e-4a53-9d0e-1f2a3b4c5d6e',
        },
      },
      {
        feed: ADMINS_FEED,
        notification: expect.objectContaining({
          kind: 'order.created',
          customerId: 'u_alice',
          message: 'New order ord_01hzx0000000000000000000ab from u_alice (€12.34)',
        }),
      },
    ]);
  });

  it.each([
    ['paid', 'order.paid', `${o} was paid (€12.34)`],
    ['shipped', 'order.shipped', `${o} was shipped`],
    ['delivered', 'order.delivered', `${o} was delivered`],
  ] as const)('maps a status change to %s to %s, for the customer only', (status, kind, message) => {
    const out = notificationsFor(E.orderStatusChanged, event({ status, from: 'pending' }));
    expect(
      out.map((n) => [n.feed, n.notification.kind, n.notification.status, n.notification.message]),
    ).toEqual([['u_alice', kind, status, message]]);
  });

  it('tells the customer and the admins about a cancellation', () => {
    const out = notificationsFor(E.orderCancelled, event({ status: 'cancelled', from: 'paid' }));
    expect(out.map((n) => [n.feed, n.notification.kind, n.notification.message])).toEqual([
      ['u_alice', 'order.cancelled', `${o} was cancelled (€12.34)`],
      [
        ADMINS_FEED,
        'order.cancelled',
        'Order ord_01hzx0000000000000000000ab from u_alice was cancelled (€12.34)',
      ],
    ]);
  });

  it('describes item and tracking updates and deletions to the customer only', () => {
    const items = notificationsFor(
      E.orderUpdated,
      event({ change: 'items', total: 2000, previousTotal: 1234 }),
    );
    const tracking = notificationsFor(E.orderUpdated, event({ change: 'tracking', previousTotal: 1234 }));
    const deleted = notificationsFor(E.orderDeleted, event());
    expect(
      [...items, ...tracking, ...deleted].map((n) => [n.feed, n.notification.kind, n.notification.message]),
    ).toEqual([
      ['u_alice', 'order.updated', `${o} was updated: €20.00 (was €12.34)`],
      ['u_alice', 'order.updated', `${o} has a new tracking note`],
      ['u_alice', 'order.deleted', `${o} was deleted`],
    ]);
  });

  it.each([
    [
      'a status change to pending',
      E.orderStatusChanged,
      event({ status: 'pending' }),
      /no notification for a change to "pending"/,
    ],
    ['no object', E.orderCreated, 'hello', /not an object/],
    ['an eventId a key cannot hold', E.orderCreated, event({ eventId: 'a:b' }), /eventId/],
    ['no customer', E.orderCreated, event({ customerId: undefined as unknown as string }), /customerId/],
    [
      'a customer named like the admins feed',
      E.orderCreated,
      event({ customerId: ADMINS_FEED }),
      /customerId/,
    ],
    ['a float total', E.orderCreated, event({ total: 12.34 }), /total/],
    ['an unknown status', E.orderCreated, event({ status: 'lost' as 'paid' }), /status/],
    ['a bad time', E.orderCreated, event({ at: 'yesterday' }), /at must be/],
  ])('refuses %s with a reason', (_what, pattern, payload, reason) => {
    expect(() => notificationsFor(pattern, payload)).toThrow(InvalidOrderEventError);
    expect(() => notificationsFor(pattern, payload)).toThrow(reason);
  });
});
