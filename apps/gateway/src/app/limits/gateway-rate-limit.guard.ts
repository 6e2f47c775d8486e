import { HttpException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { rateLimitErrorBody, retryAfterSeconds, type RateLimitDecision } from '@shop/rate-limit';
import type { Response } from 'express';
import type { GatewayRequest } from '../auth/session-user';
import { isApiRequest } from '../http/api-paths';
import { ApiRateLimit } from './api-rate-limit';
import { LOGIN_LIMITED, type LoginLimitOptions } from './rate-limit.decorators';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The sliding-window limits of `libs/rate-limit`, before authentication and before the response cache
 * (a cached answer is still counted):
 * - every `/api` request: `api` per client IP (`TRUST_PROXY`-aware, IPv6 by /64);
 * - writes by a logged-in user: `writes` per user;
 * - `@LoginLimited()` routes: `login-ip` per IP (in the same Redis call as `api`) and `login-user` per
 *   case-folded username (hashed by the lib: the name never reaches a key).
 * Headers `RateLimit-Policy` / `RateLimit` list every policy checked; a refusal is 429 with `Retry-After`
 * (or 503 when a fail-closed policy cannot be checked), with the usual JSON error body.
 * A request the pre-routing fast path already counted (`ApiRateLimit.stash`) is not counted again.
 */
@Injectable()
export class GatewayRateLimitGuard implements CanActivate {
  constructor(
    private readonly api: ApiRateLimit,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Global guards also wrap the Streams transport's event handlers (inheritAppConfig): HTTP only.
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    if (!isApiRequest(req)) return true;
    const res = context.switchToHttp().getResponse<Response>();
    const loginLimit = this.reflector.get<Required<LoginLimitOptions> | undefined>(
      LOGIN_LIMITED,
      context.getHandler(),
    );
    const login = loginLimit !== undefined;
    const decisions: RateLimitDecision[] = [];
    const check = async (decided: Promise<RateLimitDecision>) => {
      const decision = await decided;
      decisions.push(decision);
      ApiRateLimit.setHeaders(res, decisions);
      if (!decision.allowed) refuse(res, decision);
    };
    // Login routes count `login-ip` in the same call; the fast path never takes one of them (GET only).
    const stashed = this.api.takeStashed(req);
    await check(
      stashed !== undefined && !login
        ? Promise.resolve(stashed)
        : this.api.consume(req, login ? ['login-ip'] : []),
    );
    if (loginLimit?.perUsername) {
      const username: unknown = (req.body as { username?: unknown } | undefined)?.username;
      if (typeof username === 'string' && username.length <= 64)
        await check(this.api.limiter.consume(`login:${username.toLowerCase()}`, ['login-user']));
    } else if (!login && req.user && !SAFE_METHODS.has(req.method)) {
      await check(this.api.limiter.consume(`user:${req.user.id}`, ['writes']));
    }
    return true;
  }
}

function refuse(res: Response, decision: RateLimitDecision): never {
  const body = rateLimitErrorBody(decision);
  res.setHeader('Retry-After', String(retryAfterSeconds(decision.retryAfterMs)));
  throw new HttpException(body, body.statusCode);
}
