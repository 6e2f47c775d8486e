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
 * Redis in a container (image `TEST_REDIS_IMAGE`, default `redis:7-alpine`) reachable on the given
 * loopback port, with its data directory bind-mounted so `appendonly` data survives stop/kill + start.
 * `TEST_REDIS_NETWORK=host` runs it in the host network (engines started without a bridge); otherwise it
 * listens on all interfaces inside the container and the port is published on the host.
 */
export function containerBackend(port: number, dir: string, args: string[]): RedisBackend {
  const image = process.env['TEST_REDIS_IMAGE'] ?? 'redis:7-alpine';
  const hostNetwork = process.env['TEST_REDIS_NETWORK'] === 'host';
  let container: { stop(options?: { timeout?: number }): Promise<unknown> } | undefined;
  const command = [
    'redis-server',
    ...args.map((a) => (a === dir ? '/data' : a === '127.0.0.1' && !hostNetwork ? '0.0.0.0' : a)),
  ];
  return {
    async start() {
      if (container) return;
      const { GenericContainer } = await import('testcontainers');
      const definition = new GenericContainer(image)
        .withBindMounts([{ source: dir, target: '/data' }])
        .withCommand(command);
      container = await (
        hostNetwork
          ? definition.withNetworkMode('host')
          : definition.withExposedPorts({ container: port, host: port })
      ).start();
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
