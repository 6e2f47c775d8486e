/** Domain error codes services answer with (`DomainError` code, `remoteCode` at the caller). */
export const ERROR_CODES = {
  notFound: 'E_NOT_FOUND',
  forbidden: 'E_FORBIDDEN',
  invalidTransition: 'E_INVALID_TRANSITION',
  versionConflict: 'E_VERSION_CONFLICT',
  idempotencyMismatch: 'E_IDEMPOTENCY_MISMATCH',
  unknownProduct: 'E_UNKNOWN_PRODUCT',
  productExists: 'E_PRODUCT_EXISTS',
  notEditable: 'E_NOT_EDITABLE',
  duplicateSku: 'E_DUPLICATE_SKU',
  badCursor: 'E_BAD_CURSOR',
  busy: 'E_BUSY',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
