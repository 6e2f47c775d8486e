import type { RateLimitDecision } from '../core/decision';

/**
 * Response headers per the IETF httpapi draft "RateLimit header fields for HTTP"
 * (draft-ietf-httpapi-ratelimit-headers): both are Structured Field lists with one item per policy.
 * - `RateLimit-Policy: "api";q=600;w=60` — quota `q` units per window `w` seconds;
 * - `RateLimit: "api";r=12;t=30` — `r` units remaining, `t` seconds until the quota resets (a denied
 *   policy reports its retry-after, the earliest time a request of the same cost fits again).
 * Policy names are `[a-z0-9-]`, so they are valid sf-strings without escaping.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const policy: string[] = [];
  const state: string[] = [];
  for (const p of decision.policies) {
    policy.push(`"${p.policy}";q=${p.limit};w=${Math.max(1, Math.ceil(p.windowMs / 1000))}`);
    const untilMs = p.allowed ? p.resetMs : p.retryAfterMs < 0 ? p.windowMs : p.retryAfterMs;
    state.push(`"${p.policy}";r=${p.remaining};t=${Math.ceil(Math.max(0, untilMs) / 1000)}`);
  }
  return { 'RateLimit-Policy': policy.join(', '), RateLimit: state.join(', ') };
}

/** `Retry-After` in whole seconds (RFC 9110 delay-seconds), rounded up so a client never retries early. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

export interface RateLimitErrorBody {
  statusCode: 429 | 503;
  error: string;
  message: string;
  code: 'E_RATE_LIMITED' | 'E_RATE_LIMIT_UNAVAILABLE';
}

/** The JSON body of a refused request: 429 when limited, 503 when a fail-closed policy cannot be checked. */
export function rateLimitErrorBody(decision: RateLimitDecision): RateLimitErrorBody {
  if (decision.unavailable) {
    return {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Rate limiting is temporarily unavailable; try again shortly',
      code: 'E_RATE_LIMIT_UNAVAILABLE',
    };
  }
  const denied = decision.policies.filter((p) => !p.allowed).map((p) => p.policy);
  return {
    statusCode: 429,
    error: 'Too Many Requests',
    message: `Rate limit exceeded (${denied.join(', ')}); retry in ${retryAfterSeconds(decision.retryAfterMs)} s`,
    code: 'E_RATE_LIMITED',
  };
}
