import { Injectable } from '@nestjs/common';
import type { BoardEntry, BoardName, BoardPeriod } from '@shop/contracts';
import { InjectDatabase } from '@shop/database';
import { periodOf } from '@shop/leaderboard';
import { sql, type Kysely } from 'kysely';
import type { OrdersDb } from '../db/orders-db';

/**
 * A board computed from SQL, for when the data Redis is down: what paid orders added in the period
 * minus what cancellations of paid orders took away in it. Flagged `sql-fallback` by the caller; ties
 * are ordered by member id here (the Redis board orders them by who got there first).
 */
@Injectable()
export class BoardsSql {
  constructor(@InjectDatabase() private readonly db: Kysely<OrdersDb>) {}

  async top(board: BoardName, period: BoardPeriod, n: number, now = Date.now()): Promise<BoardEntry[]> {
    const p = periodOf(period, now);
    const from = new Date(p.start).toISOString();
    const to = Number.isFinite(p.end) ? new Date(p.end).toISOString() : '9999';
    const totals = new Map<string, number>();
    const add = (rows: { member: string; amount: number | string | bigint | null }[], sign: number) => {
      for (const r of rows) totals.set(r.member, (totals.get(r.member) ?? 0) + sign * Number(r.amount ?? 0));
    };
    for (const [column, sign] of [
      ['paid_at', 1],
      ['cancelled_at', -1],
    ] as const) {
      const inPeriod = this.db
        .selectFrom('orders')
        .where(column, '>=', from)
        .where(column, '<', to)
        .$if(column === 'cancelled_at', (q) => q.where('cancelled_from', '=', 'paid'));
      if (board === 'customers-by-spend') {
        add(
          await inPeriod
            .select(['customer_id as member', sql<number>`sum(total_cents)`.as('amount')])
            .groupBy('customer_id')
            .execute(),
          sign,
        );
      } else {
        add(
          await inPeriod
            .innerJoin('order_item', 'order_item.order_id', 'orders.id')
            .select(['order_item.sku as member', sql<number>`sum(order_item.quantity)`.as('amount')])
            .groupBy('order_item.sku')
            .execute(),
          sign,
        );
      }
    }
    return [...totals]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, n)
      .map(([member, score], i) => ({ member, score, rank: i + 1 }));
  }
}
