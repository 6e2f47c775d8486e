import { IsString, Length } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { IsPriceCents } from './price.decorator';
import { MAX_PRODUCT_NAME } from './product-rules';
import { IsSku } from './sku.decorator';

/** `orders.products.create` (admin). Reply: `Product`; an existing sku is `E_PRODUCT_EXISTS`. */
export class CreateProductDto extends WithCallerDto {
  @IsSku()
  sku!: string;

  @IsString()
  @Length(1, MAX_PRODUCT_NAME)
  name!: string;

  @IsPriceCents()
  price!: number;
}
