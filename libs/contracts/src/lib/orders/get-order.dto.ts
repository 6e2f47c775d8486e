import { WithCallerDto } from '../common/with-caller.dto';
import { IsOrderId } from './order-id.decorator';

/** `orders.get`. Reply: `Order`; another customer's order is `E_NOT_FOUND`, like a missing one. */
export class GetOrderDto extends WithCallerDto {
  @IsOrderId()
  id!: string;
}
