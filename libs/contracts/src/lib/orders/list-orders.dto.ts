import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto';
import { ORDER_STATUSES, type OrderStatus } from './order-rules';

/** `orders.list`: the caller's own orders (admins: all), newest first. Reply: `Page<Order>`. */
export class ListOrdersDto extends PageQueryDto {
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;
}
