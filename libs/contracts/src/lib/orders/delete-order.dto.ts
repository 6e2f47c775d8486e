import { WithCallerDto } from '../common/with-caller.dto';
import { IsOrderId } from './order-id.decorator';

/** `orders.delete` (admin). Reply: `OrderDeleted`. */
export class DeleteOrderDto extends WithCallerDto {
  @IsOrderId()
  id!: string;
}

/** The reply to `orders.delete`: whose order it was, so a caller can invalidate that customer's lists. */
export interface OrderDeleted {
  deleted: true;
  customerId: string;
}
