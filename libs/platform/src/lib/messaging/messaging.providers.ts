import type { Provider } from '@nestjs/common';
import { RedisStreamsClient, RedisStreamsServer } from '@shop/messaging';
import { RedisConnections } from '@shop/redis';
import { APP_ENV, SERVICE_NAME } from '../env/env.tokens';
import type { ServiceEnv } from '../env/service-env';

/** The service's Redis Streams server; `bootstrapService({ microservice: true })` connects it. */
export const STREAMS_SERVER = Symbol('STREAMS_SERVER');

/** Provides `STREAMS_SERVER` for this service (its command stream, its groups on event streams). */
export function streamsServerProvider(): Provider {
  return {
    provide: STREAMS_SERVER,
    inject: [RedisConnections, APP_ENV, SERVICE_NAME],
    useFactory: (connections: RedisConnections, env: ServiceEnv, service: string) =>
      new RedisStreamsServer({
        connections,
        service,
        instanceId: env.INSTANCE_ID,
        drainTimeoutMs: env.SHUTDOWN_TIMEOUT_MS / 2,
      }),
  };
}

/**
 * Provides a `RedisStreamsClient` to another service under `token`: `send()` goes to `target`, `emit()`
 * to this service's event stream. The client closes itself on application shutdown.
 */
export function streamsClientProvider(token: string | symbol, target: string, timeoutMs = 5000): Provider {
  return {
    provide: token,
    inject: [RedisConnections, APP_ENV, SERVICE_NAME],
    useFactory: (connections: RedisConnections, env: ServiceEnv, service: string) =>
      new RedisStreamsClient({ connections, service, instanceId: env.INSTANCE_ID, target, timeoutMs }),
  };
}
