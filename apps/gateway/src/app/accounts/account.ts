import type { Role } from '@shop/contracts';

/** An account as the API shows it (`GET /api/auth/me`). */
export interface Account {
  id: string;
  username: string;
  role: Role;
}
