import { IsIn, Matches } from 'class-validator';

export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** User ids: what the gateway's accounts issue; also safe inside cache tags and Redis keys. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Who asks: set by the gateway from the authenticated session, never by a client. Every command
 * payload carries it; services authorise on it.
 */
export class CallerDto {
  @Matches(USER_ID_PATTERN, { message: 'caller.userId must be 1-64 of [A-Za-z0-9_-]' })
  userId!: string;

  @IsIn(ROLES)
  role!: Role;
}
