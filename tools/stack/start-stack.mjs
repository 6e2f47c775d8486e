#!/usr/bin/env node
// `npm start`: runs the whole system locally — N instances of each service (default 2), Redis from
// REDIS_URL or a redis-server of its own, SQLite files under ./data (or DATABASE_URL) — with each
// instance's log lines prefixed, and stops everything on Ctrl-C. Services must be built first
// (`npm start` does that).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const instancesPerService = Number(process.env.STACK_INSTANCES ?? 2);
// Shifts every port (3000 -> 3000 + offset); tests use it to stay clear of a stack already running.
const portOffset = Number(process.env.STACK_PORT_OFFSET ?? 0);
const dataDir = process.env.STACK_DATA_DIR ? resolve(process.env.STACK_DATA_DIR) : join(root, 'data');
const services = [
  { name: 'gateway', basePort: 3000 },
  { name: 'orders', basePort: 3100 },
  { name: 'notifications', basePort: 3200 },
];
const colors = [36, 33, 35, 32, 34, 31];
const children = [];
let stopping = false;

const log = (msg) => console.log(`\x1b[1m[stack]\x1b[0m ${msg}`);

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function pipeWithPrefix(child, label, color) {
  const prefix = `\x1b[${color}m${label.padEnd(16)}\x1b[0m|`;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`${prefix} ${line}`));
  }
}

async function waitReady(url, child, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not ready after ${timeoutMs} ms`);
}

async function startRedis() {
  if (process.env.REDIS_URL) {
    // User info up to the last '@', so a password holding '/' or '@' is hidden too.
    log(`using Redis at ${process.env.REDIS_URL.replace(/^([^:/?#]*:\/\/)([^:@/]*):(.*)@/, '$1$2:***@')}`);
    return process.env.REDIS_URL;
  }
  if (spawnSync('redis-server', ['--version']).error) {
    console.error(
      'No Redis: set REDIS_URL=redis://host:6379 to use an existing one, or install redis-server\n' +
        '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis; or docker run -p 6379:6379 redis:7).',
    );
    process.exit(1);
  }
  let port = Number(process.env.STACK_REDIS_PORT ?? 6380);
  while (!(await portIsFree(port))) port++;
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const redis = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
    ],
    // Its own process group: Ctrl-C sends SIGINT to the terminal's foreground group, and Redis must not
    // get it with the services — it stops last, after every service has drained against it.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  children.push({ label: 'redis', child: redis });
  // Detached, it would outlive a stack that dies without stopAll (an uncaught error, SIGKILL is the
  // exception nothing can catch).
  process.on('exit', () => {
    if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGTERM');
  });
  pipeWithPrefix(redis, 'redis', 37);
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (redis.exitCode !== null) throw new Error('redis-server exited');
    const ok = await new Promise((resolve) => {
      const probe = spawnSync('redis-cli', ['-p', String(port), 'ping']);
      resolve(probe.stdout?.toString().trim() === 'PONG');
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`started redis-server at ${url} (data in ./data/redis, append-only)`);
  return url;
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  log('stopping the services (SIGTERM, then SIGKILL after 15 s), then Redis');
  const services = children.filter((c) => c.label !== 'redis');
  const results = await Promise.all(
    services.map(async ({ label, child }) => ({ label, ...(await terminate(child, 15_000)) })),
  );
  const unclean = results.filter((r) => r.code !== 0);
  for (const r of unclean) log(`${r.label} did not stop cleanly (code ${r.code}, signal ${r.signal})`);
  const redis = children.find((c) => c.label === 'redis');
  if (redis) await terminate(redis.child, 5_000);
  log('all stopped');
  process.exit(code !== 0 ? code : unclean.length > 0 ? 1 : 0);
}

/** SIGTERM (the terminal's SIGINT may already have reached it), SIGKILL after `graceMs`; its exit status. */
function terminate(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
    child.kill('SIGTERM');
  });
}

async function main() {
  for (const { name } of services) {
    if (!existsSync(join(root, 'dist', 'apps', name, 'main.js'))) {
      console.error(
        `dist/apps/${name}/main.js is missing: run \`npm start\` (it builds first) or \`npx nx run-many -t build\``,
      );
      process.exit(1);
    }
  }
  mkdirSync(dataDir, { recursive: true });
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const redisUrl = await startRedis();
  const table = [];
  let colorIndex = 0;
  for (const service of services) {
    for (let i = 0; i < instancesPerService; i++) {
      const label = `${service.name}-${i}`;
      const port = service.basePort + portOffset + i;
      if (!(await portIsFree(port))) throw new Error(`port ${port} for ${label} is in use`);
      const child = spawn(
        process.execPath,
        ['--enable-source-maps', join(root, 'dist', 'apps', service.name, 'main.js')],
        {
          cwd: root,
          env: {
            ...process.env,
            PORT: String(port),
            REDIS_URL: redisUrl,
            INSTANCE_ID: label,
            ...(process.env.DATABASE_URL
              ? {}
              : { DATABASE_URL: `sqlite:${join(dataDir, `${service.name}.sqlite`)}` }),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push({ label, child });
      pipeWithPrefix(child, label, colors[colorIndex++ % colors.length]);
      child.once('exit', (code, signal) => {
        if (!stopping) {
          log(`${label} exited (code ${code}, signal ${signal}); stopping the stack`);
          void stopAll(1);
        }
      });
      // One instance at a time: the first migrates the database, the others find it done.
      await waitReady(`http://127.0.0.1:${port}/health/ready`, child);
      table.push([label, `http://127.0.0.1:${port}`, child.pid]);
    }
  }
  log('everything is up:');
  for (const [label, url, pid] of table)
    console.log(`  ${label.padEnd(16)} ${url.padEnd(24)} pid ${pid}   ${url}/health/ready  ${url}/metrics`);
  console.log(`  ${'redis'.padEnd(16)} ${redisUrl}`);
  log('press Ctrl-C to stop everything');
}

main().catch((err) => {
  console.error(`[stack] failed: ${err.message}`);
  void stopAll(1);
});
