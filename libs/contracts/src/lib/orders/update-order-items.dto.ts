import { IsOptional } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { IsExpectedVersion } from './expected-version.decorator';
import { IsOrderId } from './order-id.decorator';
import { OrderItemInputDto } from './order-item-input.dto';
import { IsOrderItems } from './order-items.decorator';

/**
 * `orders.updateItems`: replace the lines of a `pending` order (write-through). With `expectedVersion`
 * the write is refused (`E_VERSION_CONFLICT`) unless the order is at it (an order no longer pending is
 * `E_NOT_EDITABLE` whatever the version); without, it applies to the version the service reads (still
 * one conditional write: a concurrent change is a conflict, not lost).
 * Reply: `Order`.
 */
export class UpdateOrderItemsDto extends WithCallerDto {
  @IsOrderId()
  id!: string;

  @IsOptional()
  @IsExpectedVersion()
  expectedVersion?: number;

  @IsOrderItems()
  items!: OrderItemInputDto[];
}
