import { RedisConnections } from '@shop/redis';
import { Registry } from 'prom-client';
import { RedisStreamsServer, type StreamsServerOptions } from '../src';

type Handler = (data: unknown, ctx: unknown) => Promise<unknown>;

/**
 * A `RedisStreamsServer` in the test's own process, with handlers registered directly (no Nest app),
 * so a test can count executions, hold a handler on a promise it resolves, and time `close()`.
 */
export async function startInProcessServer(
  redisUrl: string,
  options: Partial<StreamsServerOptions> & {
    commands?: Record<string, Handler>;
    events?: Record<string, Handler>;
    redis?: { commandTimeoutMs?: number; shutdownTimeoutMs?: number };
  } = {},
) {
  const { commands = {}, events = {}, redis, ...serverOptions } = options;
  const connections = new RedisConnections({
    url: redisUrl,
    keyPrefix: 'fx',
    connectionName: 'in-process',
    ...redis,
  });
  const server = new RedisStreamsServer({
    connections,
    service: 'fixture',
    instanceId: 'in-process-0',
    registry: new Registry(),
    blockMs: 200,
    reclaimIntervalMs: 100,
    retryDelayMs: 50,
    claimIdleMs: 1000,
    maxDeliveries: 3,
    ...serverOptions,
  });
  for (const [pattern, handler] of Object.entries(commands)) server.addHandler(pattern, handler, false);
  for (const [pattern, handler] of Object.entries(events)) server.addHandler(pattern, handler, true);
  await new Promise<void>((resolve, reject) =>
    server.listen((err?: unknown) => (err ? reject(err as Error) : resolve())),
  );
  return {
    server,
    connections,
    async close() {
      await server.close();
      await connections.close();
    },
  };
}

/** Resolves with the value of `promise`, or with `'timed out'` after `ms` (for measuring a bound). */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms))),
  ]);
}
