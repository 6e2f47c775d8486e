import { HttpException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectEnv } from '@shop/platform';
import {
  RateLimiter,
  rateLimitErrorBody,
  rateLimitHeaders,
  requestIdentity,
  retryAfterSeconds,
  type RateLimitDecision,
} from '@shop/rate-limit';
import type { Request, Response } from 'express';
import type { GatewayRequest } from '../auth/session-user';
import type { GatewayEnv } from '../gateway-env';
import { isApiRequest } from '../http/api-paths';
import { LOGIN_LIMITED, type LoginLimitOptions } from './rate-limit.decorators';
import { trustProxySetting } from './trust-proxy';

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
 */
@Injectable()
export class GatewayRateLimitGuard implements CanActivate {
  private readonly clientIp: (req: Request) => string;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly reflector: Reflector,
    @InjectEnv() env: GatewayEnv,
  ) {
    this.clientIp = requestIdentity({ trustProxy: trustProxySetting(env.TRUST_PROXY) });
  }

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
    const check = async (identity: string, policies: string[]) => {
      const decision = await this.limiter.consume(identity, policies);
      decisions.push(decision);
      setHeaders(res, decisions);
      if (!decision.allowed) refuse(res, decision);
    };
    await check(`ip:${this.clientIp(req)}`, login ? ['api', 'login-ip'] : ['api']);
    if (loginLimit?.perUsername) {
      const username: unknown = (req.body as { username?: unknown } | undefined)?.username;
      if (typeof username === 'string' && username.length <= 64)
        await check(`login:${username.toLowerCase()}`, ['login-user']);
    } else if (!login && req.user && !SAFE_METHODS.has(req.method)) {
      await check(`user:${req.user.id}`, ['writes']);
    }
    return true;
  }
}

function setHeaders(res: Response, decisions: RateLimitDecision[]): void {
  const merged = rateLimitHeaders({
    ...decisions[0],
    policies: decisions.flatMap((d) => d.policies),
  });
  for (const [name, value] of Object.entries(merged)) res.setHeader(name, value);
}

function refuse(res: Response, decision: RateLimitDecision): never {
  const body = rateLimitErrorBody(decision);
  res.setHeader('Retry-After', String(retryAfterSeconds(decision.retryAfterMs)));
  throw new HttpException(body, body.statusCode);
}
