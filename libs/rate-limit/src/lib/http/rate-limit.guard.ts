import { HttpException, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerRequest } from '@nestjs/throttler';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdentity } from '../identity/request-identity';
import type { RateLimitErrorBody } from './rate-limit-headers';

const socketIdentity = requestIdentity();

/**
 * `ThrottlerGuard` with the IETF headers (`RateLimit-Policy`, `RateLimit`, one list item per throttler)
 * instead of `X-RateLimit-*`, `Retry-After` on 429 and the JSON 429 body with `code: 'E_RATE_LIMITED'`.
 * The tracker defaults to the socket address, canonical and /64-grouped; set `getTracker:
 * requestIdentity({ trustProxy })` in the throttler options behind proxies. Register it as `APP_GUARD`.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return socketIdentity(req as unknown as IncomingMessage);
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const { req, res } = this.getRequestResponse(context);
    const ignore = throttler.ignoreUserAgents ?? this.commonOptions.ignoreUserAgents;
    const agent = String((req['headers'] as Record<string, unknown>)?.['user-agent'] ?? '');
    if (ignore?.some((pattern) => pattern.test(agent))) return true;
    const name = throttler.name ?? 'default';
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, name);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    const response = res as unknown as ServerResponse;
    append(response, 'RateLimit-Policy', `"${name}";q=${limit};w=${Math.max(1, Math.ceil(ttl / 1000))}`);
    const remaining = Math.max(0, limit - record.totalHits);
    const t = record.isBlocked ? record.timeToBlockExpire : record.timeToExpire;
    append(response, 'RateLimit', `"${name}";r=${remaining};t=${t}`);
    if (!record.isBlocked) return true;
    response.setHeader('Retry-After', String(Math.max(1, record.timeToBlockExpire)));
    const body: RateLimitErrorBody = {
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Rate limit exceeded (${name}); retry in ${Math.max(1, record.timeToBlockExpire)} s`,
      code: 'E_RATE_LIMITED',
    };
    throw new HttpException(body, 429);
  }
}

function append(res: ServerResponse, name: string, item: string): void {
  const current = res.getHeader(name);
  res.setHeader(name, current ? `${String(current)}, ${item}` : item);
}
