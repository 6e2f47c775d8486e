import { Matches } from 'class-validator';
import { SKU_PATTERN } from './product-rules';

/** Validates a sku field against `SKU_PATTERN` with a message naming the rule. */
export const IsSku = (): PropertyDecorator =>
  Matches(SKU_PATTERN, { message: '$property must match ^[A-Z0-9][A-Z0-9-]{1,31}$' });
