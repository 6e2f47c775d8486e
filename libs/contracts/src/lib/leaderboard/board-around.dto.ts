import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { BOARD_PERIODS, BOARDS, MAX_AROUND, type BoardName, type BoardPeriod } from './leaderboard-rules';

/**
 * `orders.leaderboard.around`: a member's rank and score with `n` above and below (one round trip).
 * `member` defaults to the caller on the customers board. Reply: `BoardAnswer` (empty if unranked).
 */
export class BoardAroundDto extends WithCallerDto {
  @IsIn(BOARDS)
  board!: BoardName;

  @IsIn(BOARD_PERIODS)
  period!: BoardPeriod;

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'member must be 1-64 of [A-Za-z0-9_-]' })
  member?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_AROUND)
  n?: number;
}
