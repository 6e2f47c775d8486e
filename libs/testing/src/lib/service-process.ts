import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { waitFor } from './wait-for';

export interface ServiceProcessOptions {
  /** Label for log lines, e.g. `gateway-0`. */
  name: string;
  /** Path of the built entry (`dist/apps/gateway/main.js`). */
  entry: string;
  /** Environment added to the current one. */
  env: Record<string, string | undefined>;
  /** Port of the HTTP side, for `/health/ready`. */
  port: number;
  /** Wait for `/health/ready` to answer 200. @default true */
  waitReady?: boolean;
  readyTimeoutMs?: number;
  /** Where each output line goes; defaults to keeping them in `logs` only. */
  onLine?: (line: string) => void;
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
  const child: ChildProcess = spawn(process.execPath, [options.entry], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

  const url = `http://127.0.0.1:${options.port}`;
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
    try {
      await waitFor(
        `${options.name} ready at ${url}/health/ready`,
        async () => {
          if (hasExited) throw new Error(`${options.name} exited:\n${logs.slice(-20).join('\n')}`);
          const res = await fetch(`${url}/health/ready`).catch(() => undefined);
          return res?.status === 200;
        },
        { timeoutMs: options.readyTimeoutMs ?? 20_000, intervalMs: 100 },
      );
    } catch (err) {
      await handle.kill();
      throw new Error(
        `${(err as Error).message}\n--- last output of ${options.name} ---\n${logs.slice(-30).join('\n')}`,
      );
    }
  }
  return handle;
}
