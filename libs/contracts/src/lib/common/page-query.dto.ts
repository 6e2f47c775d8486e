import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { WithCallerDto } from './with-caller.dto';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Cursor pagination: `cursor` is the opaque `nextCursor` of the previous page. */
export abstract class PageQueryDto extends WithCallerDto {
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor returned by a previous page' })
  cursor?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}
