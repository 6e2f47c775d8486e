import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { trackChild } from './child-registry';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { startTestRedis, type TestRedis } from './redis-server';
import { waitFor } from './wait-for';

export interface TestRedisCluster {
  /** `redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3` */
  readonly url: string;
  readonly ports: number[];
  dispose(): Promise<void>;
}

/** A three-master Redis Cluster (no replicas) on free loopback ports, for tests of Cluster support. */
export async function startTestRedisCluster(): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'test-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const nodes: ChildProcess[] = ports.map((port) =>
    trackChild(
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--loglevel',
          'warning',
        ],
        { stdio: 'ignore' },
      ),
    ),
  );
  const cli = (port: number, ...args: string[]) =>
    spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
  await waitFor('cluster nodes up', () => ports.every((p) => cli(p, 'PING') === 'PONG'));
  const created = spawnSync(
    'redis-cli',
    [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ],
    {
      encoding: 'utf8',
    },
  );
  if (created.status !== 0) throw new Error(`cluster create failed: ${created.stderr || created.stdout}`);
  // cluster_state reads `fail` for a moment while the nodes agree on the slots.
  await waitFor(
    'cluster_state:ok',
    () => ports.every((p) => cli(p, 'CLUSTER', 'INFO').includes('cluster_state:ok')),
    { timeoutMs: 20_000 },
  );
  return {
    url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    ports,
    async dispose() {
      await Promise.all(
        nodes.map(
          (n) =>
            new Promise<void>((resolve) =>
              n.exitCode !== null ? resolve() : (n.once('exit', () => resolve()), n.kill('SIGKILL')),
            ),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestRedisSentinel {
  /** `redis-sentinel://127.0.0.1:<sentinelPort>/<masterName>` */
  readonly url: string;
  readonly master: TestRedis;
  dispose(): Promise<void>;
}

/** A master watched by one Sentinel, for tests of Sentinel support. */
export async function startTestRedisSentinel(masterName = 'testmaster'): Promise<TestRedisSentinel> {
  const master = await startTestRedis();
  const dir = mkdtempSync(join(tmpdir(), 'test-sentinel-'));
  const port = await freePort();
  const config = join(dir, 'sentinel.conf');
  writeFileSync(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
    ].join('\n'),
  );
  const sentinel = trackChild(spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' }));
  await waitFor('sentinel knows the master', () => {
    const reply = spawnSync(
      'redis-cli',
      ['-p', String(port), 'SENTINEL', 'get-master-addr-by-name', masterName],
      { encoding: 'utf8' },
    );
    return reply.stdout.includes(String(master.port));
  });
  return {
    url: `redis-sentinel://127.0.0.1:${port}/${masterName}`,
    master,
    async dispose() {
      await new Promise<void>((resolve) =>
        sentinel.exitCode !== null
          ? resolve()
          : (sentinel.once('exit', () => resolve()), sentinel.kill('SIGKILL')),
      );
      await master.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
