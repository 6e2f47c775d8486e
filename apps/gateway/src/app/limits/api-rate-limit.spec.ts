import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RateLimitDecision, RateLimiter } from '@shop/rate-limit';
import type { GatewayEnv } from '../gateway-env';
import { ApiRateLimit } from './api-rate-limit';
import { GatewayRateLimitGuard } from './gateway-rate-limit.guard';

const decision = (allowed: boolean): RateLimitDecision => ({
  allowed,
  unavailable: false,
  retryAfterMs: allowed ? 0 : 1000,
  policies: [
    {
      policy: 'api',
      mode: 'log',
      limit: 10,
      windowMs: 60_000,
      allowed,
      remaining: allowed ? 9 : 0,
      resetMs: 1000,
      retryAfterMs: allowed ? 0 : 1000,
      source: 'redis',
    },
  ],
});

function setup() {
  const consume = jest.fn(async () => decision(true));
  const api = new ApiRateLimit({ consume } as unknown as RateLimiter, { TRUST_PROXY: '' } as GatewayEnv);
  const guard = new GatewayRateLimitGuard(api, new Reflector());
  const headers: Record<string, unknown> = {};
  const req = {
    method: 'GET',
    path: '/api/products/MUG-RED',
    headers: {},
    socket: { remoteAddress: '127.0.0.1' },
  };
  const res = { setHeader: (name: string, value: unknown) => (headers[name] = value) };
  const context = {
    getType: () => 'http',
    getHandler: () => setup, // any function: it carries no @LoginLimited() metadata
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { consume, api, guard, req, headers, context };
}

describe('ApiRateLimit shared by the fast path and the guard', () => {
  it('the guard reuses a decision the fast path left on the request instead of counting it again', async () => {
    const { consume, api, guard, req, headers, context } = setup();
    api.stash(req as never, decision(true));
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(consume).not.toHaveBeenCalled();
    expect(headers['RateLimit']).toEqual(expect.stringMatching(/^"api";r=9;t=\d+$/));
  });

  it('a stashed refusal is refused by the guard (429) without a second count', async () => {
    const { consume, api, guard, req, context } = setup();
    api.stash(req as never, decision(false));
    await expect(guard.canActivate(context)).rejects.toMatchObject({ status: 429 });
    expect(consume).not.toHaveBeenCalled();
  });

  it('a stash is used once: the next check on the same request object counts again', async () => {
    const { consume, api, guard, req, context } = setup();
    api.stash(req as never, decision(true));
    await guard.canActivate(context);
    await guard.canActivate(context);
    expect(consume).toHaveBeenCalledTimes(1);
  });
});
