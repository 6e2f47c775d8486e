import { existsSync } from 'node:fs';

/** The parts of a running Redis that `startTestRedis` drives; one implementation per backend. */
export interface RedisBackend {
  start(): Promise<void>;
  /** Graceful stop. */
  stop(): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
}

/**
 * Whether a container engine answers. Cheap checks first (no socket, no DOCKER_HOST: no engine), then
 * testcontainers' own probe, which fails within milliseconds when nothing listens. `TEST_REDIS_BACKEND`
 * forces a backend (`binary` or `container`).
 */
export async function containerEngineAnswers(): Promise<boolean> {
  const forced = process.env['TEST_REDIS_BACKEND'];
  if (forced === 'binary') return false;
  if (forced !== 'container' && !process.env['DOCKER_HOST'] && !existsSync('/var/run/docker.sock'))
    return false;
  try {
    // Loaded lazily: most machines never need it, and it pulls an ESM-only helper.
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * Redis in a container (image `TEST_REDIS_IMAGE`, default `redis:7-alpine`) published on the given host
 * port, with its data directory bind-mounted so `appendonly` data survives stop/kill + start.
 */
export function containerBackend(port: number, dir: string, args: string[]): RedisBackend {
  const image = process.env['TEST_REDIS_IMAGE'] ?? 'redis:7-alpine';
  let container: { stop(options?: { timeout?: number }): Promise<unknown> } | undefined;
  const command = ['redis-server', ...args.map((a) => (a === dir ? '/data' : a))];
  return {
    async start() {
      if (container) return;
      const { GenericContainer } = await import('testcontainers');
      container = await new GenericContainer(image)
        .withExposedPorts({ container: port, host: port })
        .withBindMounts([{ source: dir, target: '/data' }])
        .withCommand(command)
        .start();
    },
    async stop() {
      await container?.stop({ timeout: 10_000 });
      container = undefined;
    },
    async kill() {
      await container?.stop({ timeout: 0 });
      container = undefined;
    },
  };
}
