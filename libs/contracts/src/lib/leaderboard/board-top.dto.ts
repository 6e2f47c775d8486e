import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { BOARD_PERIODS, BOARDS, MAX_BOARD_SIZE, type BoardName, type BoardPeriod } from './leaderboard-rules';

/** `orders.leaderboard.top`: the first `limit` of a board. Reply: `BoardAnswer`. */
export class BoardTopDto extends WithCallerDto {
  @IsIn(BOARDS)
  board!: BoardName;

  @IsIn(BOARD_PERIODS)
  period!: BoardPeriod;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BOARD_SIZE)
  limit?: number;
}
