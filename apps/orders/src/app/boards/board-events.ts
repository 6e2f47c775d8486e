import type { BoardName, OrderEventBase } from '@shop/contracts';
import type { LeaderboardEvent } from '@shop/leaderboard';

/**
 * What an order contributes to each board: spend (cents) per customer and quantity per product,
 * counted when the order is paid and subtracted when a paid order is cancelled. Event ids are derived
 * from the order (`<id>.paid`, `<id>.cancelled`: each happens at most once), so a rebuild from SQL
 * replays the very ids the live events used and their markers keep redeliveries out.
 */
export function boardEvent(
  board: BoardName,
  kind: 'paid' | 'cancelled',
  order: Pick<OrderEventBase, 'orderId' | 'customerId' | 'total' | 'items'>,
  at: string,
): LeaderboardEvent {
  const sign = kind === 'paid' ? 1 : -1;
  const entries =
    board === 'customers-by-spend'
      ? [{ member: order.customerId, delta: sign * order.total }]
      : order.items.map((i) => ({ member: i.sku, delta: sign * i.quantity }));
  return { eventId: `${order.orderId}.${kind}`, entries, at: new Date(at) };
}
