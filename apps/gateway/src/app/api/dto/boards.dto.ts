import { ApiPropertyOptional } from '@nestjs/swagger';
import { BOARD_PERIODS, MAX_AROUND, MAX_BOARD_SIZE, type BoardPeriod } from '@shop/contracts';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

export class BoardQuery {
  @ApiPropertyOptional({ enum: BOARD_PERIODS, default: 'all' })
  @IsOptional()
  @IsIn(BOARD_PERIODS)
  period?: BoardPeriod;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_BOARD_SIZE, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(MAX_BOARD_SIZE)
  limit?: number;
}

export class AroundQuery {
  @ApiPropertyOptional({ enum: BOARD_PERIODS, default: 'all' })
  @IsOptional()
  @IsIn(BOARD_PERIODS)
  period?: BoardPeriod;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_AROUND, default: 3 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'around must be an integer' })
  @Min(0)
  @Max(MAX_AROUND)
  around?: number;
}
