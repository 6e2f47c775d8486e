import { IsInt, Max, Min } from 'class-validator';
import { MAX_PRICE_CENTS, MIN_PRICE_CENTS } from './product-rules';

/** An integer price in cents within the catalog's bounds (contracts stay free of Nest: plain composition). */
export const IsPriceCents =
  (): PropertyDecorator =>
  (target, property): void => {
    IsInt()(target, property);
    Min(MIN_PRICE_CENTS)(target, property);
    Max(MAX_PRICE_CENTS)(target, property);
  };
