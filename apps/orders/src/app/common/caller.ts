import type { CallerDto } from '@shop/contracts';
import { forbidden } from './domain-errors';

export const isAdmin = (caller: CallerDto): boolean => caller.role === 'admin';

/** Throws `E_FORBIDDEN` unless the caller is an admin. */
export function requireAdmin(caller: CallerDto, action: string): void {
  if (!isAdmin(caller)) throw forbidden(action);
}
