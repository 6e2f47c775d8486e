import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBodyDoc } from './error-body';

const MEANING: Record<number, string> = {
  400: 'invalid input (`E_VALIDATION`, `E_BAD_BODY`, `E_BAD_CURSOR`, `E_UNKNOWN_PRODUCT`...)',
  401: 'not logged in (`E_UNAUTHENTICATED`) or bad credentials (`E_BAD_CREDENTIALS`)',
  403: 'not allowed (`E_FORBIDDEN`) or cross-site request (`E_CSRF`)',
  404: 'no such resource (`E_NOT_FOUND`), also for another customer’s order',
  409: 'invalid status transition, version conflict, taken username or sku',
  413: 'body larger than the limit (`E_BAD_BODY`)',
  415: 'body not application/json (`E_UNSUPPORTED_MEDIA_TYPE`)',
  422: 'Idempotency-Key reused with other items (`E_IDEMPOTENCY_MISMATCH`)',
  429: 'rate limited (`E_RATE_LIMITED`), see `Retry-After`',
  503: 'a service, the data Redis or the session store is unreachable',
  504: 'the service did not answer in time (`E_TIMEOUT`)',
};

/** Documents the error statuses of a route with the shared error body. */
export const ApiErrors = (...statuses: number[]): MethodDecorator =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: MEANING[status] ?? 'error', type: ErrorBodyDoc }),
    ),
  );
