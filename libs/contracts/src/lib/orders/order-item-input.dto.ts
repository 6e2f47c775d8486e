import { IsInt, Max, Min } from 'class-validator';
import { IsSku } from '../catalog/sku.decorator';
import { MAX_QUANTITY, MIN_QUANTITY } from './order-rules';

/** A line as a client orders it: sku and quantity only (a price field is an unknown field: refused). */
export class OrderItemInputDto {
  @IsSku()
  sku!: string;

  @IsInt()
  @Min(MIN_QUANTITY)
  @Max(MAX_QUANTITY)
  quantity!: number;
}
