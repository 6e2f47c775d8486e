import { WithCallerDto } from '../common/with-caller.dto';
import { IsSku } from './sku.decorator';

/** `orders.products.deactivate` (admin): hidden from customers, no longer orderable. Reply: `Product`. */
export class DeactivateProductDto extends WithCallerDto {
  @IsSku()
  sku!: string;
}
