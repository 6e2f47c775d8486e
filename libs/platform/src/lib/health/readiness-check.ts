import type { HealthIndicatorResult } from '@nestjs/terminus';

/** Anything that can say whether a dependency is ready (the Redis and database indicators are). */
export interface ReadinessCheck {
  check(): HealthIndicatorResult | Promise<HealthIndicatorResult>;
}

/** The list of readiness checks the health controller runs. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
