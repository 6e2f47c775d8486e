import { Teardown } from '../src/lib/teardown';

describe('Teardown', () => {
  it('undoes what a failed start had set up, last first, even when a step throws', async () => {
    const undone: string[] = [];
    const t = new Teardown();
    await expect(
      t.undoOnFailure(async () => {
        t.add('redis', (r) => undone.push(r));
        t.add('db', () => {
          undone.push('db');
          throw new Error('db dispose failed');
        });
        t.add('service', (r) => undone.push(r));
        throw new Error('the second service did not start');
      }),
    ).rejects.toThrow('the second service did not start');
    expect(undone).toEqual(['service', 'db', 'redis']);
  });

  it('leaves everything in place when the start succeeds', async () => {
    const undone: string[] = [];
    const t = new Teardown();
    expect(await t.undoOnFailure(async () => t.add(7, () => undone.push('seven')))).toBe(7);
    expect(undone).toEqual([]);
    await t.run();
    expect(undone).toEqual(['seven']);
  });
});
