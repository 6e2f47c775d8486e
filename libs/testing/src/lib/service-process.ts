import { spawn, type ChildProcess } from 'node:child_process';
import { trackChild } from './child-registry';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './wait-for';

export interface ServiceProcessOptions {
  /** Label for log lines, e.g. `gateway-0`. */
  name: string;
  /**
   * Path of the entry: a built file (`dist/apps/gateway/main.js`) runs with plain `node`; a `.ts` file
   * (a test fixture) runs through ts-node (SWC, no type check) with the workspace path aliases.
   */
  entry: string;
  /** Environment added to the current one. */
  env: Record<string, string | undefined>;
  /** Port of the HTTP side, for `/health/ready`; not needed with `waitReady: false`. */
  port?: number;
  /** Wait for `/health/ready` to answer 200. @default true */
  waitReady?: boolean;
  readyTimeoutMs?: number;
  /** Where each output line goes; defaults to keeping them in `logs` only. */
  onLine?: (line: string) => void;
  /** Extra Node flags before the entry, e.g. `['--cpu-prof']` (Node refuses those in NODE_OPTIONS). */
  nodeArgs?: string[];
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  /** Every line the process printed (stdout and stderr). */
  readonly logs: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL at once. */
  kill(): Promise<void>;
}

/** Starts a service as a separate Node process and (by default) waits until it reports ready. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const typescript = options.entry.endsWith('.ts');
  const args = [
    ...(options.nodeArgs ?? []),
    ...(typescript
      ? ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', options.entry]
      : [options.entry]),
  ];
  const tsEnv = typescript
    ? {
        TS_NODE_PROJECT: join(workspaceRoot(), 'tsconfig.base.json'),
        TS_NODE_SWC: 'true',
        // Nx's Jest plugin exports its own ts-node options (moduleResolution node10), which TypeScript 6 rejects.
        TS_NODE_COMPILER_OPTIONS: '{}',
        TS_NODE_FILES: 'false',
      }
    : {};
  const child: ChildProcess = trackChild(
    spawn(process.execPath, args, {
      env: { ...process.env, ...tsEnv, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const logs: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    if (!stream) return;
    createInterface({ input: stream }).on('line', (line) => {
      logs.push(line);
      options.onLine?.(line);
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const url = options.port ? `http://127.0.0.1:${options.port}` : '';
  const handle: ServiceProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    url,
    logs,
    exited,
    async stop(graceMs = 10_000) {
      if (hasExited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (!hasExited) child.kill('SIGKILL');
      await exited;
    },
  };

  if (options.waitReady !== false) {
    const abort = new AbortController();
    const ready = waitFor(
      `${options.name} ready at ${url}/health/ready`,
      async () => (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200,
      { timeoutMs: options.readyTimeoutMs ?? 20_000, intervalMs: 100, signal: abort.signal },
    );
    const died = exited.then(({ code, signal }) => {
      throw new Error(`${options.name} exited (code ${code}, signal ${signal}) before it was ready`);
    });
    try {
      await Promise.race([ready, died]);
    } catch (err) {
      await handle.kill();
      // Let the last lines of output arrive before quoting them.
      await new Promise((r) => setImmediate(r));
      throw new Error(
        `${(err as Error).message}\n--- last output of ${options.name} ---\n${logs.slice(-30).join('\n')}`,
      );
    } finally {
      abort.abort();
      died.catch(() => undefined);
      ready.catch(() => undefined);
    }
  }
  return handle;
}

/** The directory holding `nx.json`, found upwards from this file. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}
