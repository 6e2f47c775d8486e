import {
  ForbiddenException,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@shop/contracts';
import { isApiRequest } from '../http/api-paths';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators';
import type { GatewayRequest } from './session-user';

/**
 * Every `/api` route needs a logged-in caller unless marked `@Public()`; `@RequireRole('admin')` also
 * needs the role. Health, metrics and the system routes are outside `/api` and never guarded.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    // Global guards also wrap the Streams transport's event handlers (inheritAppConfig): HTTP only.
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    if (!isApiRequest(req)) return true;
    const targets = [context.getHandler(), context.getClass()];
    const role = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets);
    if (isPublic && !role) return true;
    if (req.sessionUnavailable)
      throw new ServiceUnavailableException({
        message: 'sessions are temporarily unavailable; try again shortly',
        code: 'E_SESSION_UNAVAILABLE',
      });
    if (!req.user) throw new UnauthorizedException({ message: 'log in first', code: 'E_UNAUTHENTICATED' });
    if (role && req.user.role !== role)
      throw new ForbiddenException({ message: `only ${role}s may do this`, code: 'E_FORBIDDEN' });
    return true;
  }
}
