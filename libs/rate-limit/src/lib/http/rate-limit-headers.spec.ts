import type { RateLimitDecision } from '../core/decision';
import { rateLimitErrorBody, rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';

const decision: RateLimitDecision = {
  allowed: false,
  unavailable: false,
  retryAfterMs: 1200,
  policies: [
    {
      policy: 'api',
      mode: 'counter',
      limit: 600,
      windowMs: 60_000,
      allowed: true,
      remaining: 12,
      resetMs: 29_001,
      retryAfterMs: 0,
      source: 'redis',
    },
    {
      policy: 'burst',
      mode: 'log',
      limit: 5,
      windowMs: 1000,
      allowed: false,
      remaining: 0,
      resetMs: 900,
      retryAfterMs: 1200,
      source: 'redis',
    },
  ],
};

describe('rate-limit headers (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('lists every policy with quota, window, remaining and reset in seconds', () => {
    expect(rateLimitHeaders(decision)).toEqual({
      'RateLimit-Policy': '"api";q=600;w=60, "burst";q=5;w=1',
      RateLimit: '"api";r=12;t=30, "burst";r=0;t=2',
    });
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect([
      retryAfterSeconds(1),
      retryAfterSeconds(1000),
      retryAfterSeconds(1001),
      retryAfterSeconds(0),
    ]).toEqual([1, 1, 2, 1]);
  });

  it('names the denying policies in the 429 body and codes a 503 apart', () => {
    expect(rateLimitErrorBody(decision)).toMatchObject({ statusCode: 429, code: 'E_RATE_LIMITED' });
    expect(rateLimitErrorBody(decision).message).toContain('burst');
    expect(rateLimitErrorBody({ ...decision, unavailable: true })).toMatchObject({
      statusCode: 503,
      code: 'E_RATE_LIMIT_UNAVAILABLE',
    });
  });
});
