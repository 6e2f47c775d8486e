import type { Type } from '@nestjs/common';
import type { ServiceEnv } from './env/service-env';
import type { ReadinessCheck } from './health/readiness-check';

/** Options of `PlatformModule.forRoot`. */
export interface PlatformOptions {
  /** The service's name in logs, metrics and consumer names. */
  service: string;
  /** The env class to validate `process.env` against (extends `ServiceEnv`). */
  env: new () => ServiceEnv;
  /** Providers whose `check()` decides `/health/ready` (e.g. `RedisHealthIndicator`). @default [] */
  readiness?: Array<Type<ReadinessCheck>>;
  /** Largest JSON body accepted; larger ones get 413. @default '100kb' */
  bodyLimit?: string | number;
}

export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');
