import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const root = join(__dirname, '..', '..', '..');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const portRefused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

interface Stack {
  child: ChildProcessByStdio<null, Readable, Readable>;
  pgid: number;
  lines: string[];
  offset: number;
  redisPort: number;
  pids: number[];
  exited: Promise<number | null>;
  dispose(): void;
}

/**
 * Starts `node tools/stack/start-stack.mjs` in a process group of its own, as a shell puts a foreground
 * job, so the test can send SIGINT to the whole group exactly like Ctrl-C in a terminal does.
 */
async function startStack(instances: number): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-'));
  const offset = 20_000 + Math.floor(Math.random() * 5000);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STACK_INSTANCES: String(instances),
    STACK_PORT_OFFSET: String(offset),
    STACK_DATA_DIR: dataDir,
    STACK_REDIS_PORT: String(offset + 6380),
  };
  delete env['REDIS_URL'];
  const child = spawn(process.execPath, [join(root, 'tools', 'stack', 'start-stack.mjs')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  if (child.pid === undefined) throw new Error('the stack did not start');
  const pgid = child.pid; // detached: the stack leads a process group of its own
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stack: Stack = {
    child,
    pgid,
    lines,
    offset,
    redisPort: offset + 6380,
    pids: [],
    exited,
    dispose() {
      if (child.exitCode === null) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      spawnSync('redis-cli', ['-p', String(offset + 6380), 'shutdown', 'nosave']);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 120_000;
  while (!lines.some((l) => l.includes('everything is up'))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stack.dispose();
      throw new Error(`stack did not come up:\n${lines.slice(-30).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const table = lines.filter((l) => /^\s+(gateway|orders|notifications)-\d/.test(l));
  stack.pids = table.map((l) => Number(/pid (\d+)/.exec(l)?.[1]));
  return stack;
}

/** Ctrl-C: SIGINT to every process of the stack's group; resolves with the exit code and the time taken. */
async function ctrlC(stack: Stack): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  process.kill(-stack.pgid, 'SIGINT');
  const code = await Promise.race([
    stack.exited,
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000)),
  ]);
  if (code === 'hung')
    throw new Error(`stack still running 30 s after SIGINT:\n${stack.lines.slice(-30).join('\n')}`);
  return { code, ms: Date.now() - started };
}

// The README's first command ends in `node tools/stack/start-stack.mjs` (after building): 2 instances of
// each service and a redis-server of its own; Ctrl-C must leave no process behind.
const built = ['gateway', 'orders', 'notifications'].every((s) =>
  existsSync(join(root, 'dist', 'apps', s, 'main.js')),
);
(built ? describe : describe.skip)('local stack (npm start)', () => {
  it('brings up 2 instances of each service; Ctrl-C (SIGINT to the group) stops services, then Redis: all exit 0, fast, no fatal', async () => {
    const stack = await startStack(2);
    try {
      expect(stack.pids).toHaveLength(6);
      for (const port of [3000, 3001, 3100, 3101, 3200, 3201]) {
        const res = await fetch(`http://127.0.0.1:${port + stack.offset}/health/ready`);
        expect(res.status).toBe(200);
      }
      const ping = await fetch(`http://127.0.0.1:${3000 + stack.offset}/system/ping`);
      expect(ping.status).toBe(200);

      const { code, ms } = await ctrlC(stack);
      const output = stack.lines.join('\n');
      expect(stack.lines.some((l) => l.includes('all stopped'))).toBe(true);
      expect(output).not.toMatch(/fatal/i);
      expect(output).not.toContain('did not stop cleanly');
      expect(code).toBe(0);
      expect(ms).toBeLessThan(8_000);
      expect(stack.pids.filter(alive)).toEqual([]);
      // Its own redis-server is gone too, and it went last.
      expect(await portRefused(stack.redisPort)).toBe(true);
      const redisLines = stack.lines.map((l, i) => [l, i] as const).filter(([l]) => /^\S*redis\s/.test(l));
      const lastServiceStop = Math.max(...stack.lines.map((l, i) => (/"msg":"stopped"/.test(l) ? i : -1)));
      const redisShutdown = redisLines.find(([l]) => /Received SIG(INT|TERM)/.test(l))?.[1] ?? -1;
      expect(redisShutdown).toBeGreaterThan(lastServiceStop);
    } finally {
      stack.dispose();
    }
  });

  it('with its Redis gone, Ctrl-C still stops every service within a few seconds, exit 0', async () => {
    const stack = await startStack(1);
    try {
      spawnSync('redis-cli', ['-p', String(stack.redisPort), 'shutdown', 'nosave']);
      expect(await portRefused(stack.redisPort)).toBe(true);
      const { code, ms } = await ctrlC(stack);
      const output = stack.lines.join('\n');
      expect(output).not.toMatch(/fatal/i);
      expect(output).not.toContain('did not stop cleanly');
      expect(code).toBe(0);
      expect(ms).toBeLessThan(8_000);
      expect(stack.pids.filter(alive)).toEqual([]);
    } finally {
      stack.dispose();
    }
  });
});
