import { Controller, Get, Query, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CacheResponse, type CacheResponseOptions } from '@shop/cache';
import { ResponseCacheInterceptor } from '../http/response-cache.interceptor';
import { ORDERS_COMMANDS, type BoardAnswer, type BoardEntry, type BoardName } from '@shop/contracts';
import { AccountsService } from '../accounts/accounts.service';
import { Public } from '../auth/auth.decorators';
import { callerOf, CurrentUser } from '../auth/current-user.decorator';
import type { SessionUser } from '../auth/session-user';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { AroundQuery, BoardQuery } from './dto/boards.dto';
import { ANONYMOUS, OrdersApi } from './orders-api';
import { RESPONSE_TAGS } from './response-tags';

/** A row of a board as the API shows it: customers by username (ids stay private), products by sku. */
export interface BoardRow {
  rank: number;
  score: number;
  username?: string;
  sku?: string;
}

export interface BoardView {
  period: string;
  items: BoardRow[];
  nextCursor: null;
}

export interface AroundMeView {
  rank: number | null;
  score: number | null;
  above: BoardRow[];
  below: BoardRow[];
}

/** Boards move with every paid order: a short TTL is the invalidation (no event per score change). */
const BOARD_CACHE: CacheResponseOptions = {
  ttl: '5s',
  tags: [RESPONSE_TAGS.boards],
  query: ['period', 'limit'],
  cacheControl: 'no-cache',
  variant: () => 'public',
  // Everyone gets the same board: bare repeats are answered before routing (`responseFastPath`).
  fastPath: true,
};

@ApiTags('leaderboards')
@Controller('api/leaderboards')
@UseInterceptors(ResponseCacheInterceptor)
export class LeaderboardsController {
  constructor(
    private readonly orders: OrdersApi,
    private readonly accounts: AccountsService,
  ) {}

  @Get('customers')
  @Public()
  @CacheResponse(BOARD_CACHE)
  @ApiOperation({ summary: 'Top customers by spend (cents), all-time, this ISO week or today (UTC)' })
  @ApiErrors(400, 429, 503, 504)
  customers(@Query() query: BoardQuery): Promise<BoardView> {
    return this.top('customers-by-spend', query);
  }

  @Get('products')
  @Public()
  @CacheResponse(BOARD_CACHE)
  @ApiOperation({ summary: 'Top products by quantity sold' })
  @ApiErrors(400, 429, 503, 504)
  products(@Query() query: BoardQuery): Promise<BoardView> {
    return this.top('products-by-quantity', query);
  }

  @Get('customers/me')
  @ApiOperation({
    summary: 'My rank and score with `around` neighbours above and below (null before my first order)',
  })
  @ApiErrors(400, 401, 429, 503, 504)
  async me(@Query() query: AroundQuery, @CurrentUser() user: SessionUser): Promise<AroundMeView> {
    const answer = await this.orders.send<BoardAnswer>(ORDERS_COMMANDS.boardAround, callerOf(user), {
      board: 'customers-by-spend',
      period: query.period ?? 'all',
      n: query.around ?? 3,
    });
    const mine = answer.entries.find((e) => e.member === user.id);
    const rows = await this.rows('customers-by-spend', answer.entries);
    if (!mine) return { rank: null, score: null, above: [], below: [] };
    return {
      rank: mine.rank,
      score: mine.score,
      above: rows.filter((r) => r.rank < mine.rank),
      below: rows.filter((r) => r.rank > mine.rank),
    };
  }

  private async top(board: BoardName, query: BoardQuery): Promise<BoardView> {
    const period = query.period ?? 'all';
    const answer = await this.orders.send<BoardAnswer>(ORDERS_COMMANDS.boardTop, ANONYMOUS, {
      board,
      period,
      limit: query.limit ?? 10,
    });
    return { period, items: await this.rows(board, answer.entries), nextCursor: null };
  }

  private async rows(board: BoardName, entries: BoardEntry[]): Promise<BoardRow[]> {
    if (board === 'products-by-quantity')
      return entries.map((e) => ({ rank: e.rank, score: e.score, sku: e.member }));
    const names = await this.accounts.usernames(entries.map((e) => e.member));
    return entries.map((e) => ({ rank: e.rank, score: e.score, username: names.get(e.member) ?? 'unknown' }));
  }
}
