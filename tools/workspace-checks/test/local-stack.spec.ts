import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = join(__dirname, '..', '..', '..');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// The README's first command ends in `node tools/stack/start-stack.mjs` (after building): 2 instances of
// each service and a redis-server of its own; Ctrl-C must leave no process behind.
const built = ['gateway', 'orders', 'notifications'].every((s) =>
  existsSync(join(root, 'dist', 'apps', s, 'main.js')),
);
(built ? describe : describe.skip)('local stack (npm start)', () => {
  it('brings up 2 instances of each service, all ready, and Ctrl-C stops every process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-'));
    const offset = 20_000 + Math.floor(Math.random() * 5000);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      STACK_PORT_OFFSET: String(offset),
      STACK_DATA_DIR: dataDir,
      STACK_REDIS_PORT: String(offset + 6380),
    };
    delete env['REDIS_URL'];
    const stack = spawn(process.execPath, [join(root, 'tools', 'stack', 'start-stack.mjs')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: stack.stdout }).on('line', (l) => lines.push(l));
    createInterface({ input: stack.stderr }).on('line', (l) => lines.push(l));
    try {
      const deadline = Date.now() + 90_000;
      while (!lines.some((l) => l.includes('everything is up')) && Date.now() < deadline) {
        if (stack.exitCode !== null) throw new Error(`stack exited:\n${lines.slice(-30).join('\n')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const table = lines.filter((l) => /^\s+(gateway|orders|notifications)-\d/.test(l));
      expect(table).toHaveLength(6);
      const pids = table.map((l) => Number(/pid (\d+)/.exec(l)?.[1]));
      for (const port of [3000, 3001, 3100, 3101, 3200, 3201]) {
        const res = await fetch(`http://127.0.0.1:${port + offset}/health/ready`);
        expect(res.status).toBe(200);
      }
      const ping = await fetch(`http://127.0.0.1:${3000 + offset}/system/ping`);
      expect(ping.status).toBe(200);

      stack.kill('SIGINT'); // what Ctrl-C sends
      await new Promise<void>((resolve) => stack.once('exit', () => resolve()));
      expect(lines.some((l) => l.includes('all stopped'))).toBe(true);
      expect(pids.filter(alive)).toEqual([]);
      // Its own redis-server is gone too.
      const redisPort = offset + 6380;
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: redisPort });
        socket.once('connect', () => (socket.destroy(), resolve(false)));
        socket.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    } finally {
      if (stack.exitCode === null) stack.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
