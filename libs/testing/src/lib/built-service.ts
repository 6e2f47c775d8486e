import { join } from 'node:path';
import { freePort } from './free-port';
import { startServiceProcess, workspaceRoot, type ServiceProcess } from './service-process';

export interface BuiltServiceOptions {
  /** The app's name under `dist/apps`. */
  service: string;
  /** Distinguishes instances of one service: part of the process name and its `INSTANCE_ID`. */
  index: number;
  redisUrl: string;
  databaseUrl: string;
  /** More environment (overrides the standard variables). */
  env?: Record<string, string | undefined>;
}

/**
 * Starts one instance of a built service (`dist/apps/<service>/main.js`, from `npm run build`) as a
 * separate process on a free port with the standard environment, and waits until it is ready.
 * With `SERVICE_CPU_PROF_DIR` set (to profile a bench), each instance runs with `--cpu-prof` and writes
 * `<service>-<index>-*.cpuprofile` there when it stops.
 */
export async function startBuiltService(options: BuiltServiceOptions): Promise<ServiceProcess> {
  const { service, index } = options;
  const port = await freePort();
  const profileDir = process.env['SERVICE_CPU_PROF_DIR'];
  return startServiceProcess({
    nodeArgs: profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=${service}-${index}-\${pid}.cpuprofile`,
        ]
      : [],
    name: `${service}-${index}`,
    entry: join(workspaceRoot(), 'dist', 'apps', service, 'main.js'),
    port,
    env: {
      PORT: String(port),
      REDIS_URL: options.redisUrl,
      DATABASE_URL: options.databaseUrl,
      INSTANCE_ID: `${service}-${index}`,
      ...options.env,
    },
  });
}
