import { BackgroundLoop } from './background-loop';
import { untilDeadline } from './until-deadline';

describe('BackgroundLoop', () => {
  it('runs the body once at a time, until halted', async () => {
    let rounds = 0;
    const loop = new BackgroundLoop(async () => {
      while (loop.running) {
        rounds++;
        await loop.wait(5);
      }
    });
    expect(loop.start()).toBe(true);
    expect(loop.start()).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(await loop.stop(1000)).toBe(true);
    const after = rounds;
    expect(after).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(rounds).toBe(after);
    expect(loop.running).toBe(false);
  });

  it('stop() cuts a wait short instead of sleeping it out', async () => {
    const loop = new BackgroundLoop(async () => {
      while (loop.running) await loop.wait(60_000);
    });
    loop.start();
    const started = Date.now();
    expect(await loop.stop(5000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('wake() ends the current wait and the loop goes on', async () => {
    let rounds = 0;
    const loop = new BackgroundLoop(async () => {
      while (loop.running) {
        rounds++;
        await loop.wait(60_000);
      }
    });
    loop.start();
    loop.wake();
    await new Promise((r) => setTimeout(r, 10));
    expect(rounds).toBe(2);
    expect(loop.running).toBe(true);
    await loop.stop(100);
  });

  it('stop() returns false at its deadline when the body is stuck, and resolves the halted promise', async () => {
    const loop = new BackgroundLoop(() => new Promise<void>(() => undefined));
    loop.start();
    const started = Date.now();
    const halted = loop.halted.then(() => 'halted');
    expect(await loop.stop(100)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await halted).toBe('halted');
  });

  it('start() after a stop() that timed out runs one body at a time: the body left from before ends at its next check', async () => {
    let bodies = 0;
    let most = 0;
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const loop = new BackgroundLoop(async (run) => {
      most = Math.max(most, ++bodies);
      try {
        while (run.running) {
          await stuck; // the first body is stuck here (a read on a hung Redis) when stop() gives up
          await loop.wait(5);
        }
      } finally {
        bodies--;
      }
    });
    loop.start();
    expect(await loop.stop(20)).toBe(false);
    expect(loop.start()).toBe(true);
    release();
    await new Promise((r) => setTimeout(r, 50));
    expect(bodies).toBe(1);
    expect(loop.running).toBe(true);
    expect(await loop.stop(100)).toBe(true);
    expect(bodies).toBe(0);
    expect(most).toBe(2); // both were in progress at the restart; only one went on
  });

  it('a body that rejects just ends; stop() of a loop never started returns at once', async () => {
    const failing = new BackgroundLoop(() => Promise.reject(new Error('boom')));
    failing.start();
    expect(await failing.stop(100)).toBe(true);
    expect(await new BackgroundLoop(async () => undefined).stop(100)).toBe(true);
  });
});

describe('untilDeadline', () => {
  it('is true when the promise settles first (also by rejecting), false at the deadline', async () => {
    expect(await untilDeadline(Promise.resolve(), Date.now() + 100)).toBe(true);
    expect(await untilDeadline(Promise.reject(new Error('x')), Date.now() + 100)).toBe(true);
    expect(await untilDeadline(new Promise(() => undefined), Date.now() + 20)).toBe(false);
  });
});
