import type { RedisModuleOptions } from '@shop/redis';
import type { ServiceEnv } from './service-env';

/** The `RedisModule` options every service derives from its env; connection names say service and instance. */
export function redisOptionsFromEnv(env: ServiceEnv, service: string): RedisModuleOptions {
  return {
    url: env.REDIS_URL,
    cacheUrl: env.REDIS_CACHE_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    connectionName: `${service}:${env.INSTANCE_ID}`,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  };
}
