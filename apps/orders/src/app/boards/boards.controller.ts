import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  BoardAroundDto,
  BoardRebuildDto,
  BoardTopDto,
  ORDERS_COMMANDS,
  ORDERS_EVENTS,
  type BoardAnswer,
  type OrderCancelledEvent,
  type OrderStatusChangedEvent,
} from '@shop/contracts';
import { BoardsService } from './boards.service';

/**
 * Board queries (commands) and the board feed: this service's own order events, read by its consumer
 * group (one instance applies each; at-least-once delivery, exactly-once effect by the board script).
 */
@Controller()
export class BoardsController {
  constructor(private readonly boards: BoardsService) {}

  @EventPattern(ORDERS_EVENTS.orderStatusChanged)
  async onStatusChanged(@Payload() e: OrderStatusChangedEvent): Promise<void> {
    if (e.status === 'paid') await this.boards.apply('paid', e);
  }

  @EventPattern(ORDERS_EVENTS.orderCancelled)
  async onCancelled(@Payload() e: OrderCancelledEvent): Promise<void> {
    if (e.from === 'paid') await this.boards.apply('cancelled', e);
  }

  @MessagePattern(ORDERS_COMMANDS.boardTop)
  top(@Payload() dto: BoardTopDto): Promise<BoardAnswer> {
    return this.boards.top(dto.board, dto.period, dto.limit);
  }

  @MessagePattern(ORDERS_COMMANDS.boardAround)
  around(@Payload() dto: BoardAroundDto): Promise<BoardAnswer> {
    return this.boards.around(dto.caller, dto.board, dto.period, dto.member, dto.n);
  }

  @MessagePattern(ORDERS_COMMANDS.boardRebuild)
  rebuild(@Payload() dto: BoardRebuildDto): Promise<{ events: number }> {
    return this.boards.rebuild(dto.caller, dto.board);
  }
}
