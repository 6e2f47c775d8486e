import { IsIn } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { BOARDS, type BoardName } from './leaderboard-rules';

/** `orders.leaderboard.rebuild` (admin): recompute a board from the orders database. Reply: `{ events }`. */
export class BoardRebuildDto extends WithCallerDto {
  @IsIn(BOARDS)
  board!: BoardName;
}
