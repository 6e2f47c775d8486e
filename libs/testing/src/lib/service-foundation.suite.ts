import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startBuiltService } from './built-service';
import { startTestRedis, type TestRedis } from './redis-server';
import { workspaceRoot, type ServiceProcess } from './service-process';
import { createTestDatabase, describeEachDialect, type TestDatabase } from './test-database';
import { waitFor } from './wait-for';

/**
 * The behaviour every service shares, run against the built service as separate processes with a real
 * Redis and a real database (both dialects): two instances become ready, health/metrics/logs, JSON
 * errors for bad input, readiness follows Redis, SIGTERM drains and closes every connection, and a bad
 * environment is refused naming each variable.
 */
export function describeServiceFoundation(service: string): void {
  const entry = join(workspaceRoot(), 'dist', 'apps', service, 'main.js');

  describeEachDialect(`${service} foundation`, (dialect) => {
    let redis: TestRedis;
    let database: TestDatabase;
    const instances: ServiceProcess[] = [];

    const start = async (index: number) => {
      const proc = await startBuiltService({
        service,
        index,
        redisUrl: redis.url,
        databaseUrl: database.url,
        env: { LOG_LEVEL: 'info', REDIS_COMMAND_TIMEOUT_MS: '300' },
      });
      instances.push(proc);
      return proc;
    };

    beforeAll(async () => {
      redis = await startTestRedis();
      database = await createTestDatabase(dialect);
      // Sequential like the local stack: the first instance migrates, the second finds it done.
      await start(0);
      await start(1);
    });

    afterAll(async () => {
      await Promise.all(instances.map((p) => p.stop()));
      await redis?.dispose();
      await database?.dispose();
    });

    it('runs two instances as separate processes, both ready', async () => {
      expect(new Set(instances.map((p) => p.pid)).size).toBe(2);
      for (const proc of instances) {
        const res = await fetch(`${proc.url}/health/ready`);
        expect(res.status).toBe(200);
        const body = (await res.json()) as { info: Record<string, { status: string }> };
        expect(body.info['redis'].status).toBe('up');
        expect(body.info['database'].status).toBe('up');
        expect((await fetch(`${proc.url}/health/live`)).status).toBe(200);
      }
    });

    it('serves Prometheus metrics labelled with service and instance', async () => {
      const [proc] = instances;
      await fetch(`${proc.url}/health/live`);
      const res = await fetch(`${proc.url}/metrics`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain(`process_cpu_user_seconds_total{service="${service}",instance="${service}-0"}`);
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/health\/live"[^}]*\} \d+/);
    });

    it('logs JSON lines carrying the caller-supplied correlation id', async () => {
      const [proc] = instances;
      const res = await fetch(`${proc.url}/no-such-route`, { headers: { 'X-Request-Id': 'e2e-corr-42' } });
      expect(res.headers.get('x-request-id')).toBe('e2e-corr-42');
      const line = await waitFor('the request log line', () =>
        proc.logs.find((l) => l.includes('e2e-corr-42')),
      );
      const parsed = JSON.parse(line) as { service: string; instance: string; req: { id: string } };
      expect(parsed).toMatchObject({ service, instance: `${service}-0`, req: { id: 'e2e-corr-42' } });
    });

    it('answers bad input with a JSON 4xx naming the problem and keeps serving', async () => {
      const [proc] = instances;
      const malformed = await fetch(`${proc.url}/health/live`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"broken": ',
      });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('malformed JSON body'),
      });

      const huge = await fetch(`${proc.url}/health/live`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ blob: 'x'.repeat(2_000_000) }),
      });
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({
        statusCode: 413,
        message: expect.stringContaining('too large'),
      });

      const missing = await fetch(`${proc.url}/does/not/exist`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ statusCode: 404, requestId: expect.any(String) });
      expect((await fetch(`${proc.url}/health/ready`)).status).toBe(200);
    });

    it('reports not ready within a second while Redis is down, and ready again after it returns', async () => {
      const [proc] = instances;
      await redis.stop();
      try {
        await waitFor('readiness 503', async () => (await fetch(`${proc.url}/health/ready`)).status === 503, {
          timeoutMs: 5000,
        });
        const started = Date.now();
        const res = await fetch(`${proc.url}/health/ready`);
        expect(res.status).toBe(503);
        expect(Date.now() - started).toBeLessThan(1000);
        expect((await fetch(`${proc.url}/health/live`)).status).toBe(200);
      } finally {
        await redis.start();
      }
      await waitFor(
        'readiness 200 again',
        async () => (await fetch(`${proc.url}/health/ready`)).status === 200,
        {
          timeoutMs: 10_000,
        },
      );
    });

    it('drains on SIGTERM: exit code 0 and no Redis connection left behind', async () => {
      const proc = await start(2);
      const name = `${service}:${service}-2`;
      expect(await redis.cli('CLIENT', 'LIST')).toContain(name);
      const result = await proc.stop();
      expect(result).toEqual({ code: 0, signal: null });
      expect(proc.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
      await waitFor('connections closed', async () => !(await redis.cli('CLIENT', 'LIST')).includes(name), {
        timeoutMs: 3000,
      });
    });
  });

  describe(`${service} environment validation`, () => {
    it('refuses to start with a bad env, naming every bad or missing variable', async () => {
      const result = await runToExit(entry, {
        PORT: '-1',
        REDIS_URL: 'nonsense',
        LOG_LEVEL: 'loud',
        DATABASE_URL: 'mysql://x/y',
      });
      expect(result.code).not.toBe(0);
      for (const variable of ['PORT', 'REDIS_URL', 'LOG_LEVEL', 'DATABASE_URL'])
        expect(result.stderr).toContain(variable);
      expect(result.stderr).toContain('invalid Redis URL');
    });

    it('names a required variable that is missing', async () => {
      const result = await runToExit(entry, { REDIS_URL: undefined });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/REDIS_URL[^\n]*missing/);
    });
  });
}

function runToExit(
  entry: string,
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const merged: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete merged[k];
      else merged[k] = v;
    }
    const child = spawn(process.execPath, [entry], { env: merged, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
