import { ServiceEnv } from '@shop/platform';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { RATE_SPEC_PATTERN } from './limits/rate-spec';

const DURATION = /^\d+(ms|s|m|h|d)?$/;

/** The gateway service's environment: the shared variables with this service's defaults. */
export class GatewayEnv extends ServiceEnv {
  override PORT = 3000;
  override DATABASE_URL = 'sqlite:./data/gateway.sqlite';

  /**
   * Signs the session cookie; every instance needs the same one. Required in production; elsewhere a
   * fixed development secret is used (and a warning logged). Several secrets, comma-separated, rotate:
   * the first signs, all verify.
   */
  @ValidateIf((env: GatewayEnv) => env.NODE_ENV === 'production' || env.SESSION_SECRET !== undefined)
  @IsString()
  @Length(32, 1024, { message: 'SESSION_SECRET must be 32-1024 characters (set it in production)' })
  SESSION_SECRET?: string;

  /** A session not used for this long ends (rolling). */
  @Matches(DURATION, { message: 'SESSION_IDLE_TTL must be a duration like 30m' })
  SESSION_IDLE_TTL = '30m';

  /** A session ends this long after login, used or not. */
  @Matches(DURATION, { message: 'SESSION_ABSOLUTE_TTL must be a duration like 12h' })
  SESSION_ABSOLUTE_TTL = '12h';

  /**
   * Proxies in front of the gateway whose `X-Forwarded-For` / `X-Forwarded-Proto` are believed: empty
   * (none: the socket address is the client), a hop count (`1`), or a comma-separated list of
   * addresses/CIDRs (`10.0.0.0/8,127.0.0.1`). Decides the client IP of the rate limits and whether a
   * request is https (`Secure` + `__Host-` cookie).
   */
  @Matches(/^$|^\d{1,2}$|^[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*$/, {
    message: 'TRUST_PROXY must be empty, a hop count or a comma-separated list of addresses/CIDRs',
  })
  TRUST_PROXY = '';

  /**
   * Origins allowed to send unsafe requests (comma-separated, e.g. `https://shop.example`); the
   * gateway's own origin is always allowed. A request from elsewhere is refused with 403 `E_CSRF`.
   */
  @Matches(/^$|^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/, {
    message: 'ALLOWED_ORIGINS must be comma-separated origins like https://shop.example',
  })
  ALLOWED_ORIGINS = '';

  /** The admin account, created or updated at start; without a password one is generated and printed once. */
  @Matches(/^[a-z0-9_]{3,32}$/, { message: 'ADMIN_USERNAME must be 3-32 of [a-z0-9_]' })
  ADMIN_USERNAME = 'admin';

  @IsOptional()
  @IsString()
  @Length(10, 128, { message: 'ADMIN_PASSWORD must be 10-128 characters' })
  ADMIN_PASSWORD?: string;

  /** scrypt cost as log2(N) (r=8, p=1); 17 is OWASP's recommendation (128 MiB, ~0.3 s per hash here). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(20)
  PASSWORD_SCRYPT_LOG_N = 17;

  /** The general API, per client IP (sliding window; each instance limits alone while Redis is down). */
  @Matches(RATE_SPEC_PATTERN, { message: 'RATE_LIMIT_API must look like 600/60s' })
  RATE_LIMIT_API = '600/60s';

  /**
   * `counter` (default): O(1) per client, within one unit of exact for evenly spread traffic; `log`:
   * exact (never more than the limit in any window), one sorted-set member per allowed request.
   */
  @IsIn(['counter', 'log'])
  RATE_LIMIT_API_MODE: 'counter' | 'log' = 'counter';

  /** Login and register attempts per client IP (exact log; refused with 503 while Redis is down). */
  @Matches(RATE_SPEC_PATTERN, { message: 'RATE_LIMIT_LOGIN_IP must look like 30/15m' })
  RATE_LIMIT_LOGIN_IP = '30/15m';

  /** Login attempts per username (exact log; refused with 503 while Redis is down). */
  @Matches(RATE_SPEC_PATTERN, { message: 'RATE_LIMIT_LOGIN_USER must look like 10/15m' })
  RATE_LIMIT_LOGIN_USER = '10/15m';

  /** Writes (POST/PUT/PATCH/DELETE) per logged-in user. */
  @Matches(RATE_SPEC_PATTERN, { message: 'RATE_LIMIT_WRITES must look like 120/60s' })
  RATE_LIMIT_WRITES = '120/60s';

  /** Live notification streams (`GET /api/notifications/stream`) one user may hold on one instance. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  SSE_MAX_PER_USER = 5;

  /** A comment this often on an idle event stream, so proxies do not close it (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(120_000)
  SSE_HEARTBEAT_MS = 15_000;

  /** How often the sessions of open streams are checked: a logged-out or revoked session's streams end (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  SSE_SESSION_CHECK_MS = 10_000;

  /** The `retry:` a browser waits before reconnecting a dropped stream (ms). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  SSE_RETRY_MS = 2000;

  /** `off`: every cacheable GET goes to the services (the bench's baseline, diagnosis). */
  @IsIn(['on', 'off'])
  HTTP_CACHE: 'on' | 'off' = 'on';
}
