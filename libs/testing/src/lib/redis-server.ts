import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { trackChild } from './child-registry';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { containerBackend, containerEngineAnswers, type RedisBackend } from './redis-container';
import { waitFor } from './wait-for';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** What runs it: the installed binary or a container. */
  readonly backend: 'binary' | 'container';
  /** Starts the server again on the same port (after `stop()` or `kill()`). */
  start(): Promise<void>;
  /** `SHUTDOWN NOSAVE`, waits for the process to exit. */
  stop(): Promise<void>;
  /** SIGKILL, like a crashed host. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  /**
   * SIGSTOP, like a host that hangs (GC, a stalled disk, CPU throttling): connections stay open and
   * nothing answers. Resolves with the function that resumes it (SIGCONT; safe to call twice).
   * Only for the binary backend: a container's process is not ours to signal.
   */
  pause(): Promise<() => void>;
  /** Sends one command over a raw socket (no client library), e.g. `cli('FLUSHALL')`. */
  cli(...args: string[]): Promise<string>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

export interface TestRedisOptions {
  /** Keep an append-only file so data survives `stop()`/`kill()` + `start()`. @default false */
  appendOnly?: boolean;
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '10mb']`. */
  args?: string[];
}

/**
 * A real Redis of the test's own on a free loopback port, so a test can stop, kill and restart it
 * without touching anybody else's Redis. It runs the installed `redis-server` binary; when a container
 * engine answers (or `TEST_REDIS_BACKEND=container`) it runs in a container through testcontainers
 * instead, falling back to the binary if the container cannot start (e.g. the image cannot be pulled).
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'redis-server is not installed: install it (apt-get install redis-server) or set up Docker',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'test-redis-'));
  let child: ChildProcess | undefined;

  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    // Lets tests stall the server (DEBUG SLEEP) to prove timeouts.
    '--enable-debug-command',
    'yes',
    ...(options.args ?? []),
  ];

  const exited = (proc: ChildProcess) =>
    new Promise<void>((resolve) =>
      proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve()),
    );

  const binary: RedisBackend = {
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      // Not 'inherit': a server left running would hold the Jest parent's pipe open (see child-registry).
      child = trackChild(spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
      child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const proc = child;
      await rawCommand(port, ['SHUTDOWN', 'NOSAVE']).catch(() => undefined);
      await exited(proc);
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const proc = child;
      proc.kill('SIGKILL');
      await exited(proc);
    },
  };
  let backend = binary;
  let backendName: TestRedis['backend'] = 'binary';
  if (await containerEngineAnswers()) {
    const container = containerBackend(port, dir, args);
    try {
      await container.start();
      backend = container;
      backendName = 'container';
    } catch (err) {
      process.stderr.write(
        `test Redis: container did not start (${(err as Error).message}); using redis-server\n`,
      );
    }
  }
  if (backend === binary && spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'redis-server is not installed: install it (apt-get install redis-server) or run a container engine',
    );
  }

  const handle: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    backend: backendName,
    async start() {
      await backend.start();
      await waitFor(`redis on port ${port}`, async () => (await handle.cli('PING')) === 'PONG', {
        timeoutMs: 30_000,
      });
    },
    stop: () => backend.stop(),
    kill: () => backend.kill(),
    async restart() {
      await handle.stop();
      await handle.start();
    },
    cli: (...cmd: string[]) => rawCommand(port, cmd),
    async pause() {
      if (backendName !== 'binary' || !child?.pid) throw new Error('pause() needs the redis-server binary');
      const pid = child.pid;
      process.kill(pid, 'SIGSTOP');
      let resumed = false;
      return () => {
        if (resumed) return;
        resumed = true;
        process.kill(pid, 'SIGCONT');
      };
    },
    async dispose() {
      await handle.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await handle.start();
  return handle;
}

/** One RESP command over a fresh socket; returns simple/bulk replies as text and errors as rejections. */
function rawCommand(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('redis command timed out')));
    socket.on('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk) => {
      data += chunk.toString();
      const reply = parseReply(data);
      if (reply === undefined) return;
      socket.end();
      if (reply instanceof Error) reject(reply);
      else resolve(reply);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before a reply')));
  });
}

function parseReply(data: string): string | Error | undefined {
  const end = data.indexOf('\r\n');
  if (end === -1) return undefined;
  const head = data.slice(1, end);
  switch (data[0]) {
    case '+':
    case ':':
      return head;
    case '-':
      return new Error(head);
    case '$': {
      const len = Number(head);
      if (len < 0) return '';
      const body = data.slice(end + 2);
      return Buffer.byteLength(body) >= len + 2 ? body.slice(0, len) : undefined;
    }
    default:
      // Arrays are returned raw; tests that need them use a real client.
      return data.endsWith('\r\n') ? data : undefined;
  }
}
