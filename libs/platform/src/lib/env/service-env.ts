import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { hostname } from 'node:os';
import { IsDatabaseUrl, IsRedisUrl } from './url-validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Variables every service reads. A service extends this class with its own. Defaults are the property
 * initializers; variables without one are required. See the configuration table in the README.
 */
export class ServiceEnv {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** HTTP port (API, health, metrics). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT!: number;

  /** Interface to bind; containers set 0.0.0.0. */
  @IsString()
  HOST = '127.0.0.1';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** The data/bus Redis. */
  @IsRedisUrl()
  REDIS_URL!: string;

  /** The cache Redis; defaults to REDIS_URL. */
  @IsOptional()
  @IsRedisUrl()
  REDIS_CACHE_URL?: string;

  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, {
    message: 'REDIS_KEY_PREFIX must be 1-40 of [A-Za-z0-9_.-]',
  })
  REDIS_KEY_PREFIX = 'shop';

  /** Request-path Redis command timeout. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 500;

  /** The service's database (`sqlite:<path>` or `postgres://...`). */
  @IsDatabaseUrl()
  DATABASE_URL!: string;

  /** Names this instance in logs, metrics and stream consumer names; stable across restarts (pod name). */
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { message: 'INSTANCE_ID must be 1-63 of [A-Za-z0-9_.-]' })
  INSTANCE_ID =
    hostname()
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 63) || 'instance';

  /** How often this instance publishes its figures for the admin view (ms); a report lives 3 of these. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  INSTANCE_REPORT_MS = 5000;

  /** Longest a graceful shutdown may take before the process exits anyway. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;
}
