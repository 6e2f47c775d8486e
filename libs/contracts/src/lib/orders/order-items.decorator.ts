import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateNested } from 'class-validator';
import { OrderItemInputDto } from './order-item-input.dto';
import { MAX_ORDER_LINES } from './order-rules';

/** 1-100 validated lines (each line also checked: a body of 10,000 lines is refused, naming the bound). */
export const IsOrderItems =
  (): PropertyDecorator =>
  (target, property): void => {
    IsArray()(target, property);
    ArrayMinSize(1)(target, property);
    ArrayMaxSize(MAX_ORDER_LINES)(target, property);
    ValidateNested({ each: true })(target, property);
    Type(() => OrderItemInputDto)(target, property);
  };
