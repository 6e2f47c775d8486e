import type { RateLimitPolicy } from '@shop/rate-limit';
import type { GatewayEnv } from '../gateway-env';
import { parseRateSpec } from './rate-spec';

/** The gateway's rate-limit policies, from the env (`RATE_LIMIT_*`). */
export function gatewayPolicies(env: GatewayEnv): RateLimitPolicy[] {
  const policy = (
    name: string,
    spec: string,
    mode: 'counter' | 'log',
    onRedisDown: 'local' | 'fail-closed',
  ) => {
    const { limit, windowMs } = parseRateSpec(spec);
    return { name, limit, window: windowMs, mode, onRedisDown };
  };
  return [
    policy('api', env.RATE_LIMIT_API, env.RATE_LIMIT_API_MODE, 'local'),
    policy('writes', env.RATE_LIMIT_WRITES, 'counter', 'local'),
    policy('login-ip', env.RATE_LIMIT_LOGIN_IP, 'log', 'fail-closed'),
    policy('login-user', env.RATE_LIMIT_LOGIN_USER, 'log', 'fail-closed'),
  ];
}
