import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsExpectedVersion,
  IsOrderId,
  IsOrderItems,
  MAX_ORDER_LINES,
  MAX_QUANTITY,
  MAX_TRACKING_NOTE,
  ORDER_STATUSES,
  OrderItemInputDto,
  type OrderStatus,
} from '@shop/contracts';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PageQuery } from './page.dto';

export class OrderIdParam {
  @ApiProperty({ example: 'ord_01jd8x4q5r6s7t8v9w0x1y2z3a', pattern: '^ord_[0-9a-z]{26}$' })
  @IsOrderId()
  id!: string;
}

/** A line as a client orders it (documentation twin of the contracts' `OrderItemInputDto`). */
export class OrderItemInput {
  @ApiProperty({ example: 'TEA-GREEN-100' }) sku!: string;
  @ApiProperty({ minimum: 1, maximum: MAX_QUANTITY }) quantity!: number;
}

export class CreateOrderBody {
  @ApiProperty({ type: [OrderItemInput], minItems: 1, maxItems: MAX_ORDER_LINES })
  @IsOrderItems()
  items!: OrderItemInputDto[];
}

export class UpdateOrderItemsBody extends CreateOrderBody {
  @ApiPropertyOptional({ description: 'refused with 409 unless the order is at this version' })
  @IsOptional()
  @IsExpectedVersion()
  expectedVersion?: number;
}

export class ChangeStatusBody {
  @ApiProperty({ enum: ORDER_STATUSES })
  @IsIn(ORDER_STATUSES)
  status!: OrderStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsExpectedVersion()
  expectedVersion?: number;
}

export class TrackingBody {
  @ApiProperty({ maxLength: MAX_TRACKING_NOTE })
  @IsString()
  @Length(1, MAX_TRACKING_NOTE)
  note!: string;
}

export class ListOrdersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}
