import { IsIn, IsOptional } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { IsExpectedVersion } from './expected-version.decorator';
import { IsOrderId } from './order-id.decorator';
import { ORDER_STATUSES, type OrderStatus } from './order-rules';

/**
 * `orders.changeStatus`: one step of the status machine (customers: `paid` and `cancelled` on their own
 * orders; admins: every step); any other step is
 * `E_INVALID_TRANSITION` naming both states. Reply: `Order`.
 */
export class ChangeOrderStatusDto extends WithCallerDto {
  @IsOrderId()
  id!: string;

  @IsIn(ORDER_STATUSES)
  status!: OrderStatus;

  @IsOptional()
  @IsExpectedVersion()
  expectedVersion?: number;
}
