import { Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
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

const clientTokens = new Set<string | symbol>();

/**
 * Provides a `RedisStreamsClient` to another service under `token`: `send()` goes to `target`, `emit()`
 * to this service's event stream. Closed on shutdown by `StreamsClientsLifecycle`.
 */
export function streamsClientProvider(token: string | symbol, target: string, timeoutMs = 5000): Provider {
  clientTokens.add(token);
  return {
    provide: token,
    inject: [RedisConnections, APP_ENV, SERVICE_NAME],
    useFactory: (connections: RedisConnections, env: ServiceEnv, service: string) =>
      new RedisStreamsClient({ connections, service, instanceId: env.INSTANCE_ID, target, timeoutMs }),
  };
}

/** Closes every streams client of the app on shutdown (pending calls fail with `E_CLOSED`). */
@Injectable()
export class StreamsClientsLifecycle implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationShutdown(): Promise<void> {
    const clients: RedisStreamsClient[] = [];
    for (const token of clientTokens) {
      try {
        clients.push(this.moduleRef.get<RedisStreamsClient>(token, { strict: false }));
      } catch {
        // Declared by another app in this process (tests); not part of this one.
      }
    }
    await Promise.all(clients.map((c) => c.close()));
  }
}
