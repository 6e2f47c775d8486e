import { Matches } from 'class-validator';
import { WithCallerDto } from '../common/with-caller.dto';
import { OrderItemInputDto } from './order-item-input.dto';
import { IsOrderItems } from './order-items.decorator';
import { IDEMPOTENCY_KEY_PATTERN } from './order-rules';

/**
 * `orders.create`: an order for the caller. The same `idempotencyKey` (per customer, 24 h) with the same
 * items returns the same order; with other items it is `E_IDEMPOTENCY_MISMATCH`. Reply: `Order`.
 */
export class CreateOrderDto extends WithCallerDto {
  @Matches(IDEMPOTENCY_KEY_PATTERN, { message: 'idempotencyKey must be 8-128 of [A-Za-z0-9_.:-]' })
  idempotencyKey!: string;

  @IsOrderItems()
  items!: OrderItemInputDto[];
}
