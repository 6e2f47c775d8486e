import type { ChildProcess } from 'node:child_process';

/**
 * Every server a test starts (redis-server, a built service) is registered here and SIGKILLed when the
 * Jest worker exits, whatever the test did: a suite whose `beforeAll` failed half-way left its Redis
 * running, and a leftover child that shares the worker's output pipes keeps the Jest parent waiting
 * ("Jest did not exit") until CI's time limit.
 */
const live = new Set<ChildProcess>();
let hooked = false;

export function trackChild<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    // 'exit' handlers must be synchronous: kill() only sends the signal.
    process.once('exit', () => {
      for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    });
  }
  return child;
}

/** The children still running (a suite's teardown can assert it left none). */
export function liveChildren(): number {
  return [...live].filter((c) => c.exitCode === null && c.signalCode === null).length;
}
