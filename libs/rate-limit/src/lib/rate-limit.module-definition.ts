import { ConfigurableModuleBuilder } from '@nestjs/common';
import {
  resolvePolicy,
  toMs,
  type RateLimitOptions,
  type ResolvedPolicy,
  type ResolvedRateLimitOptions,
} from './rate-limit-options';

/** `RateLimitModule` options: the limiter options without `connections` (taken from `RedisModule`). */
export type RateLimitModuleOptions = Omit<RateLimitOptions, 'connections'>;

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: RATE_LIMIT_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RateLimitModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** Fills the defaults and validates every policy; pure, so the mapping is testable on its own. */
export function resolveRateLimitOptions(o: RateLimitOptions): ResolvedRateLimitOptions {
  const policies = new Map<string, ResolvedPolicy>();
  for (const policy of o.policies ?? []) {
    if (policies.has(policy.name)) throw new Error(`duplicate rate-limit policy ${policy.name}`);
    policies.set(policy.name, resolvePolicy(policy));
  }
  return {
    connections: o.connections,
    area: o.area ?? 'rl',
    policies,
    timeoutMs: toMs(o.timeout ?? 200, 'timeout'),
    breakerThreshold: o.breakerThreshold ?? 3,
    breakerCooldownMs: toMs(o.breakerCooldown ?? '2s', 'breakerCooldown'),
    localMaxKeys: o.localMaxKeys ?? 10_000,
    name: o.name ?? 'default',
    registry: o.registry,
  };
}
