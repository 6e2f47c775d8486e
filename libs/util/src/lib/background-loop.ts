import { untilDeadline } from './until-deadline';

/**
 * The lifecycle the workspace's background loops share (the stream group reader, the fan-out reader,
 * the outbox relay): `start()` runs the body once at a time; `halt()` asks it to end and cuts a `wait()`
 * short; `stop(timeoutMs)` also waits for the body, but never past its deadline, whatever the body is
 * stuck on (a read on a hung Redis, a database that does not answer). The body checks `running` and
 * sleeps with `wait()`; what it retries and how it backs off stay its own. A body checks the `running` of
 * the run it is given, not the loop's: a body still in progress after a stop that timed out then ends at
 * its next check instead of going on beside the one a later `start()` runs.
 *
 * @example
 * const loop = new BackgroundLoop(async (run) => {
 *   let failures = 0;
 *   while (run.running) {
 *     try { await round(); failures = 0; } catch { await loop.wait(backoffMs(++failures, 50, 2000)); }
 *   }
 * });
 * loop.start();
 * if (!(await loop.stop(5000))) log.warn('a round was still in progress');
 */
export class BackgroundLoop {
  private active = false;
  /** Counts start() calls: only the body of the latest one is running. */
  private generation = 0;
  private body?: Promise<void>;
  private stopped: Promise<void> = Promise.resolve();
  private signalStop: () => void = () => undefined;
  /** The waits in progress (a body left from before a restart may still be in one). */
  private readonly wakeUps = new Set<() => void>();

  /** `run` must not reject: its errors are its own to log (a rejection only ends the loop). */
  constructor(private readonly run: (self: LoopRun) => Promise<void>) {}

  /** True from `start()` until `halt()`/`stop()`: the body goes on while it is. */
  get running(): boolean {
    return this.active;
  }

  /** Resolves once the loop is halted: for a body that races a wait of its own against the stop. */
  get halted(): Promise<void> {
    return this.stopped;
  }

  /** Starts the body; false (nothing done) if it is running already. */
  start(): boolean {
    if (this.active) return false;
    this.active = true;
    const generation = ++this.generation;
    const current = (): boolean => this.active && this.generation === generation;
    this.stopped = new Promise<void>((resolve) => (this.signalStop = resolve));
    this.body = this.run({
      get running() {
        return current();
      },
    }).catch(() => undefined);
    return true;
  }

  /** Sleeps `ms`, or less if the loop is halted or woken meanwhile. */
  wait(ms: number): Promise<void> {
    if (!this.active) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUps.add(done);
    });
  }

  /** Ends the current `wait()` at once (e.g. new work arrived). */
  wake(): void {
    for (const wakeUp of this.wakeUps) wakeUp();
  }

  /** Asks the body to end: `running` turns false and a `wait()` returns at once. Does not wait. */
  halt(): void {
    this.active = false;
    this.signalStop();
    this.wake();
  }

  /** Halts, then waits for the body at most `timeoutMs`: true if it ended (or never ran), false at the deadline. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.halt();
    if (!this.body) return true;
    return untilDeadline(this.body, Date.now() + timeoutMs);
  }
}

/** One run of a loop's body: `running` is false once the loop is halted, and stays so after a restart. */
export interface LoopRun {
  readonly running: boolean;
}
