/** A product's sku: upper-case letters, digits and '-', 2-32 long, starting with a letter or digit. */
export const SKU_PATTERN = /^[A-Z0-9][A-Z0-9-]{1,31}$/;
/** Prices are integer cents. */
export const MIN_PRICE_CENTS = 1;
export const MAX_PRICE_CENTS = 10_000_000;
export const MAX_PRODUCT_NAME = 120;
