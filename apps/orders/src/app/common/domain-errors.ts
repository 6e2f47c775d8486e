import { ERROR_CODES, type OrderStatus } from '@shop/contracts';
import { DomainError } from '@shop/messaging';

/** The one answer for "missing" and "not yours", so ids cannot be probed. */
export const notFound = (what: string, id: string): DomainError =>
  new DomainError(ERROR_CODES.notFound, `${what} ${id} not found`, 404);

export const forbidden = (action: string): DomainError =>
  new DomainError(ERROR_CODES.forbidden, `${action} requires the admin role`, 403);

export const versionConflict = (what: string, id: string, expected: number, actual: number): DomainError =>
  new DomainError(
    ERROR_CODES.versionConflict,
    `${what} ${id} is at version ${actual}, not ${expected}: read it again`,
    409,
  );

export const itemsNotEditable = (id: string, status: OrderStatus): DomainError =>
  new DomainError(ERROR_CODES.notEditable, `order ${id} is ${status}: items change only while pending`, 409);

export const invalidTransition = (id: string, from: OrderStatus, to: OrderStatus): DomainError =>
  new DomainError(ERROR_CODES.invalidTransition, `order ${id} cannot go from ${from} to ${to}`, 409);
