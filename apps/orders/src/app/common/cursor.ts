import { ERROR_CODES } from '@shop/contracts';
import { DomainError } from '@shop/messaging';

/**
 * Opaque list cursors: the last key of the previous page, base64url. Decoding checks the key's shape,
 * so a forged cursor is a clear 400, never a query on arbitrary input.
 */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, shape: RegExp): string | undefined {
  if (cursor === undefined) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!shape.test(key) || encodeCursor(key) !== cursor)
    throw new DomainError(ERROR_CODES.badCursor, 'cursor is not one this service returned', 400);
  return key;
}
