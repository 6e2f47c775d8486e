export { RateLimiter, hashIdentity } from './lib/core/rate-limiter';
export type { DecisionSource, PolicyDecision, RateLimitDecision } from './lib/core/decision';
export {
  resolvePolicy,
  toMs,
  type Duration,
  type RateLimitMode,
  type RateLimitOptions,
  type RateLimitPolicy,
  type RedisDownMode,
  type ResolvedPolicy,
  type ResolvedRateLimitOptions,
} from './lib/rate-limit-options';
export {
  RATE_LIMIT_MODULE_OPTIONS,
  resolveRateLimitOptions,
  type RateLimitModuleOptions,
} from './lib/rate-limit.module-definition';
export { clientIdentity } from './lib/identity/client-identity';
export { requestIdentity, type IdentityOptions } from './lib/identity/request-identity';
export {
  clientAddress,
  compileTrust,
  type ProxyTrust,
  type TrustProxy,
} from './lib/identity/trusted-proxies';
export {
  rateLimitErrorBody,
  rateLimitHeaders,
  retryAfterSeconds,
  type RateLimitErrorBody,
} from './lib/http/rate-limit-headers';
export { rateLimitMiddleware, type RateLimitMiddlewareOptions } from './lib/http/rate-limit.middleware';
export {
  RateLimitThrottlerStorage,
  type RateLimitStorageRecord,
  type ThrottlerStorageOptions,
} from './lib/http/rate-limit-throttler.storage';
export { RateLimitGuard } from './lib/http/rate-limit.guard';
export { RateLimitModule } from './lib/rate-limit.module';
