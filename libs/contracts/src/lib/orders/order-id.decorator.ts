import { Matches } from 'class-validator';
import { ORDER_ID_PATTERN } from './order-rules';

export const IsOrderId = (): PropertyDecorator =>
  Matches(ORDER_ID_PATTERN, { message: '$property must be an order id (ord_ + 26 of [0-9a-z])' });
