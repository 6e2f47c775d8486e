import { IsOptional } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { IsExpectedVersion } from './expected-version.decorator';
import { IsOrderId } from './order-id.decorator';

/** `orders.cancel`: from `pending` or `paid`, by its customer or an admin (write-through). Reply: `Order`. */
export class CancelOrderDto extends WithCallerDto {
  @IsOrderId()
  id!: string;

  @IsOptional()
  @IsExpectedVersion()
  expectedVersion?: number;
}
