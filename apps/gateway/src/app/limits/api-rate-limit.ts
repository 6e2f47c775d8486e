import { Injectable } from '@nestjs/common';
import { InjectEnv } from '@shop/platform';
import { RateLimiter, rateLimitHeaders, requestIdentity, type RateLimitDecision } from '@shop/rate-limit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request } from 'express';
import type { GatewayEnv } from '../gateway-env';
import { trustProxySetting } from './trust-proxy';

/** Where a decision already taken for this request waits for the guard (set by the pre-routing fast path). */
const TAKEN = Symbol('api rate-limit decision');
type WithDecision = IncomingMessage & { [TAKEN]?: RateLimitDecision };

/**
 * The per-IP `api` policy, shared by the guard and the pre-routing fast path so that a request is counted
 * exactly once whichever of them answers it: the fast path consumes first and, when it cannot answer
 * (refused, or its entry went away meanwhile), leaves its decision on the request for the guard to reuse.
 */
@Injectable()
export class ApiRateLimit {
  private readonly clientIp: (req: Request) => string;

  constructor(
    readonly limiter: RateLimiter,
    @InjectEnv() env: GatewayEnv,
  ) {
    this.clientIp = requestIdentity({ trustProxy: trustProxySetting(env.TRUST_PROXY) });
  }

  /** The identity the `api` (and `login-ip`) policies count: the client IP, `TRUST_PROXY`-aware. */
  identity(req: Request): string {
    return `ip:${this.clientIp(req)}`;
  }

  /** Consumes one `api` unit for the request's client (with `extra` policies in the same Redis call). */
  consume(req: Request, extra: readonly string[] = []): Promise<RateLimitDecision> {
    return this.limiter.consume(this.identity(req), ['api', ...extra]);
  }

  /** Leaves a decision taken before routing for the guard; `takeStashed` returns it once. */
  stash(req: IncomingMessage, decision: RateLimitDecision): void {
    (req as WithDecision)[TAKEN] = decision;
  }

  takeStashed(req: IncomingMessage): RateLimitDecision | undefined {
    const decision = (req as WithDecision)[TAKEN];
    delete (req as WithDecision)[TAKEN];
    return decision;
  }

  /** `RateLimit-Policy` / `RateLimit` for the decisions taken, in order. */
  static setHeaders(res: ServerResponse, decisions: readonly RateLimitDecision[]): void {
    const merged = rateLimitHeaders({ ...decisions[0], policies: decisions.flatMap((d) => d.policies) });
    for (const [name, value] of Object.entries(merged)) res.setHeader(name, value);
  }
}
