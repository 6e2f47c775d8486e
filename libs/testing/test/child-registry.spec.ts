import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServiceProcess, waitFor } from '../src';

/** Running, not a zombie (in a container nothing may reap an orphan that was killed). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('trackChild', () => {
  it('kills the registered children when their parent process exits', async () => {
    const parent = await startServiceProcess({
      name: 'leaking-parent',
      entry: join(__dirname, 'leaking-parent.ts'),
      env: {},
      waitReady: false,
    });
    await waitFor('the child pid', () => parent.logs.some((l) => l.startsWith('child:')), {
      timeoutMs: 15_000,
    });
    const pid = Number(parent.logs.find((l) => l.startsWith('child:'))?.slice('child:'.length));
    expect(pid).toBeGreaterThan(0);
    await parent.exited;
    await waitFor('the orphan is gone', () => !alive(pid), { timeoutMs: 2000 });
  });
});
