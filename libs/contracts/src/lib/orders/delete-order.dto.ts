import { WithCallerDto } from '../common/with-caller.dto';
import { IsOrderId } from './order-id.decorator';

/** `orders.delete` (admin). Reply: `{ deleted: true }`. */
export class DeleteOrderDto extends WithCallerDto {
  @IsOrderId()
  id!: string;
}
