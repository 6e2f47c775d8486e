import { Module } from '@nestjs/common';
import { BOARDS } from '@shop/contracts';
import { LeaderboardModule } from '@shop/leaderboard';
import { OrdersModule } from '../orders/orders.module';
import { BoardsController } from './boards.controller';
import { BoardsService } from './boards.service';
import { BoardsSql } from './boards-sql';

/** Top customers by spend and top products by quantity, all-time / ISO week / UTC day. */
@Module({
  imports: [LeaderboardModule.forRoot({ boards: [...BOARDS] }), OrdersModule],
  controllers: [BoardsController],
  providers: [BoardsService, BoardsSql],
})
export class BoardsModule {}
