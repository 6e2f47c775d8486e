import type { RateLimitMode } from '../rate-limit-options';

/** Who answered for a policy: Redis, the in-process fallback, or a Redis-down mode. */
export type DecisionSource = 'redis' | 'local' | 'fail-open' | 'fail-closed';

/** The answer of one policy. Times are milliseconds. */
export interface PolicyDecision {
  policy: string;
  mode: RateLimitMode;
  limit: number;
  windowMs: number;
  allowed: boolean;
  /** Units still available in the trailing window after this request. */
  remaining: number;
  /** Until everything consumed so far has left the window (full quota again); 0 when nothing is held. */
  resetMs: number;
  /** 0 when allowed; else until a request of the same cost would be allowed (-1: cost exceeds the limit). */
  retryAfterMs: number;
  source: DecisionSource;
}

/** The answer for one request over all its policies. */
export interface RateLimitDecision {
  /** Every policy allowed (and so every policy consumed the cost). */
  allowed: boolean;
  /** A `fail-closed` policy could not be decided: answer 503, not 429. */
  unavailable: boolean;
  /** Largest `retryAfterMs` of the denying policies (0 when allowed). */
  retryAfterMs: number;
  policies: PolicyDecision[];
  /** Redis `TIME` of the decision in microseconds (absent when Redis did not answer). */
  redisTimeUs?: number;
}
