import { RedisConnections } from '@shop/redis';
import type { TestRedis } from '@shop/testing';
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

/** SIGSTOPs a test Redis (a hung host: the socket stays open, nothing answers); returns the resume. */
export async function pauseRedis(redis: TestRedis): Promise<() => void> {
  const info = await redis.cli('INFO', 'server');
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  if (!pid) throw new Error('no process_id in INFO server');
  process.kill(pid, 'SIGSTOP');
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    process.kill(pid, 'SIGCONT');
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
