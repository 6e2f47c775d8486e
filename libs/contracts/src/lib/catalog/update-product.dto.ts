import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { IsPriceCents } from './price.decorator';
import { MAX_PRODUCT_NAME } from './product-rules';
import { IsSku } from './sku.decorator';

/** `orders.products.update` (admin): name and/or price. Reply: `Product`. */
export class UpdateProductDto extends WithCallerDto {
  @IsSku()
  sku!: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_PRODUCT_NAME)
  name?: string;

  @IsOptional()
  @IsPriceCents()
  price?: number;

  /** Optimistic concurrency: refused with `E_VERSION_CONFLICT` unless the product is at this version. */
  @IsOptional()
  @IsInt()
  @Min(1)
  expectedVersion?: number;
}
