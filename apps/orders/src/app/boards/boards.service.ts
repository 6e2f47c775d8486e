import { Injectable, Logger } from '@nestjs/common';
import {
  BOARDS,
  type BoardAnswer,
  type BoardName,
  type BoardPeriod,
  type CallerDto,
  type OrderEventBase,
} from '@shop/contracts';
import { Leaderboards, topOrFallback, type LeaderboardEvent } from '@shop/leaderboard';
import { requireAdmin } from '../common/caller';
import { OrdersRepository } from '../orders/orders.repository';
import { boardEvent } from './board-events';
import { BoardsSql } from './boards-sql';

/** The leaderboards: fed by the order events exactly once, queried by rank, rebuilt from SQL. */
@Injectable()
export class BoardsService {
  private readonly log = new Logger('Boards');

  constructor(
    private readonly boards: Leaderboards,
    private readonly repo: OrdersRepository,
    private readonly sqlBoards: BoardsSql,
  ) {}

  /** Applies an order's payment or paid cancellation to every board (each dedupes on the event id). */
  async apply(kind: 'paid' | 'cancelled', event: OrderEventBase): Promise<void> {
    for (const name of BOARDS) {
      const e = boardEvent(name, kind, event, event.at);
      const result = await this.boards.get(name).apply(e.eventId, e.entries, e.at);
      if (result === 'duplicate')
        this.log.debug({ msg: 'board event already counted', board: name, eventId: e.eventId });
    }
  }

  async top(board: BoardName, period: BoardPeriod, limit = 10): Promise<BoardAnswer> {
    const answer = await topOrFallback(this.boards.get(board), period, limit, () =>
      this.sqlBoards.top(board, period, limit),
    );
    return { board, period, ...answer };
  }

  async around(
    caller: CallerDto,
    board: BoardName,
    period: BoardPeriod,
    member: string | undefined,
    n = 5,
  ): Promise<BoardAnswer> {
    const who = member ?? caller.userId;
    const result = await this.boards.get(board).around(period, who, n);
    return { board, period, entries: result?.entries ?? [], source: 'redis' };
  }

  /** Recomputes a board from the orders database (after a Redis data loss); equal to the live one. */
  async rebuild(caller: CallerDto, board: BoardName): Promise<{ events: number }> {
    requireAdmin(caller, 'rebuilding a leaderboard');
    const result = await this.boards.get(board).rebuild(this.history(board));
    this.log.log({ msg: 'board rebuilt', board, ...result });
    return { events: result.events };
  }

  private async *history(board: BoardName): AsyncGenerator<LeaderboardEvent> {
    for await (const row of this.repo.paidHistory()) {
      const order = {
        orderId: row.id,
        customerId: row.customer_id,
        total: Number(row.total_cents),
        items: row.items.map((i) => ({
          sku: i.sku,
          name: i.name,
          unitPrice: Number(i.unit_price_cents),
          quantity: i.quantity,
        })),
      };
      if (row.paid_at) yield boardEvent(board, 'paid', order, row.paid_at);
      if (row.cancelled_from === 'paid' && row.cancelled_at)
        yield boardEvent(board, 'cancelled', order, row.cancelled_at);
    }
  }
}
