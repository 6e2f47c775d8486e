import { Type } from 'class-transformer';
import { IsDefined, IsObject, ValidateNested } from 'class-validator';
import { CallerDto } from './caller.dto';

/**
 * Base of every command payload: the caller, validated as a nested object. `IsObject` matters:
 * `ValidateNested` alone accepts an array (`caller: []` passed with no `userId`, and a customer's list
 * dropped its owner filter).
 */
export abstract class WithCallerDto {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CallerDto)
  caller!: CallerDto;
}
