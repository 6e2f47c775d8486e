import { WithCallerDto } from '../common/with-caller.dto';
import { IsSku } from './sku.decorator';

/** `orders.products.get`. Reply: `Product` (customers: active ones only, else `E_NOT_FOUND`). */
export class GetProductDto extends WithCallerDto {
  @IsSku()
  sku!: string;
}
