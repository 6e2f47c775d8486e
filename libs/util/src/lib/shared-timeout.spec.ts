import { SharedTimeout } from './shared-timeout';

const later = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('SharedTimeout', () => {
  it('resolves with the work when it is in time, and rejects with the error when it is not', async () => {
    const bound = new SharedTimeout(50);
    const fast = bound.race(later(5, 'fast'), () => new Error('late'));
    const slow = bound.race(later(200, 'slow'), () => new Error('late'));
    await expect(fast).resolves.toBe('fast');
    const started = performance.now();
    await expect(slow).rejects.toThrow('late');
    expect(performance.now() - started).toBeLessThan(150);
  });

  it("passes the work's own rejection through", async () => {
    const bound = new SharedTimeout(50);
    await expect(bound.race(Promise.reject(new Error('own')), () => new Error('late'))).rejects.toThrow(
      'own',
    );
  });

  it('times out each of many calls in flight at its own deadline, arming one timer at a time, not one per call', async () => {
    const bound = new SharedTimeout(40);
    const spy = jest.spyOn(global, 'setTimeout');
    const outcomes: Array<Promise<string>> = [];
    for (let i = 0; i < 50; i++) {
      // every third call never settles; the others settle in time
      const work = i % 3 === 0 ? new Promise<string>(() => undefined) : later(5, `ok${i}`);
      outcomes.push(bound.race(work, () => new Error(`late${i}`)).catch((e: Error) => e.message));
      if (i === 25) await later(10, null); // two start times
    }
    const timersArmed = spy.mock.calls.filter(([, ms]) => Number(ms) >= 20).length;
    spy.mockRestore();
    const results = await Promise.all(outcomes);
    results.forEach((r, i) => expect(r).toBe(i % 3 === 0 ? `late${i}` : `ok${i}`));
    expect(timersArmed).toBe(1);
  });

  it('is no bound for a non-positive or infinite ms', async () => {
    for (const ms of [0, -1, Infinity]) {
      const work = later(5, ms);
      expect(new SharedTimeout(ms).race(work, () => new Error('late'))).toBe(work);
    }
  });

  it('stays bounded in memory: a long run of settled calls leaves nothing queued', async () => {
    const bound = new SharedTimeout(20);
    for (let round = 0; round < 3; round++)
      await Promise.all(
        Array.from({ length: 2000 }, (_, i) => bound.race(Promise.resolve(i), () => new Error())),
      );
    await later(60, null);
    expect((bound as unknown as { waiting: unknown[] }).waiting).toHaveLength(0);
  });
});
