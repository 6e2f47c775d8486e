import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateLimiter } from '../core/rate-limiter';
import { requestIdentity, type IdentityOptions } from '../identity/request-identity';
import type { RateLimitPolicy } from '../rate-limit-options';
import { rateLimitErrorBody, rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';

export interface RateLimitMiddlewareOptions extends IdentityOptions {
  limiter: RateLimiter;
  /** Policies checked for every request (one Redis call for all of them). */
  policies: ReadonlyArray<string | RateLimitPolicy>;
  /** Units a request costs. @default 1 */
  cost?: number | ((req: IncomingMessage) => number);
  /** The client identity. @default requestIdentity({ trustProxy, ipv6Prefix }) */
  identify?: (req: IncomingMessage) => string;
}

/**
 * A connect/Express middleware: sets `RateLimit-Policy` and `RateLimit` on every response of the
 * route, answers 429 (with `Retry-After` in whole seconds) when a policy denies and 503 when a
 * `fail-closed` policy cannot be checked; the body is JSON `{ statusCode, error, message, code }`.
 *
 * @example
 * app.use('/api', rateLimitMiddleware({ limiter, policies: ['api'], trustProxy: 1 }));
 */
export function rateLimitMiddleware(options: RateLimitMiddlewareOptions) {
  const identify = options.identify ?? requestIdentity(options);
  const cost = options.cost ?? 1;
  for (const p of options.policies) if (typeof p === 'string') options.limiter.policy(p); // fail fast on typos
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const units = typeof cost === 'function' ? cost(req) : cost;
    options.limiter.consume(identify(req), options.policies, units).then((decision) => {
      for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
      if (decision.allowed) return next();
      const body = rateLimitErrorBody(decision);
      res.statusCode = body.statusCode;
      res.setHeader('Retry-After', String(retryAfterSeconds(decision.retryAfterMs)));
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(body));
    }, next);
  };
}
