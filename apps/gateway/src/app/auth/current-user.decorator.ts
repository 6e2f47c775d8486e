import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { CallerDto } from '@shop/contracts';
import type { GatewayRequest, SessionUser } from './session-user';

/** The authenticated caller (the auth guard has refused the request before, if there is none). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): SessionUser | undefined =>
    ctx.switchToHttp().getRequest<GatewayRequest>().user,
);

/** The caller as command payloads carry it. */
export function callerOf(user: SessionUser): CallerDto {
  return { userId: user.id, role: user.role };
}
