import { join } from 'node:path';
import { startServiceProcess, waitFor } from '../src';

describe('startServiceProcess', () => {
  it('runs a TypeScript fixture with path aliases as a separate process and stops it with SIGTERM', async () => {
    const proc = await startServiceProcess({
      name: 'fixture',
      entry: join(__dirname, 'fixture-process.ts'),
      env: { FIXTURE_ID: '7' },
      waitReady: false,
    });
    expect(proc.pid).toBeGreaterThan(0);
    expect(proc.pid).not.toBe(process.pid);
    await waitFor('fixture output', () => proc.logs.includes('fx:area:7'), { timeoutMs: 15_000 });
    const result = await proc.stop();
    expect(result.code).toBe(0);
    expect(proc.logs).toContain('draining');
  });

  it('reports the output of a process that dies before it is ready', async () => {
    await expect(
      startServiceProcess({
        name: 'broken',
        entry: join(__dirname, 'missing-entry.js'),
        env: {},
        port: 1,
        readyTimeoutMs: 5000,
      }),
    ).rejects.toThrow(/broken exited \(code 1[\s\S]*Cannot find module/);
  });
});
