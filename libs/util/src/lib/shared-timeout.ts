interface Waiting {
  deadline: number;
  settled: boolean;
  reject: (err: Error) => void;
  error: () => Error;
}

/**
 * `withTimeout` for a hot path where every call has the same bound: one timer for all calls in flight
 * instead of one per call. Calls wait in start order, which with one bound is deadline order; the timer
 * is set for the oldest unsettled call only, so at any rate it fires about once per `ms`. A settled call
 * costs nothing more than a flag. Why: a timer per call (create, insert, clear) was about 0.4 µs of a
 * rate-limit decision's few µs of CPU.
 *
 * @example
 * const bound = new SharedTimeout(200);
 * const reply = await bound.race(redis.evalsha(...), () => new Error('Redis timed out'));
 */
export class SharedTimeout {
  private waiting: Waiting[] = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  /** @param ms the bound of every call; a non-finite or non-positive value means no bound. */
  constructor(readonly ms: number) {}

  /** `promise`, or a rejection with `error()` once `ms` have passed (the work itself is not cancelled). */
  race<T>(promise: Promise<T>, error: () => Error): Promise<T> {
    if (!Number.isFinite(this.ms) || this.ms <= 0) return promise;
    return new Promise<T>((resolve, reject) => {
      const entry: Waiting = { deadline: performance.now() + this.ms, settled: false, reject, error };
      this.waiting.push(entry);
      if (!this.timer) this.arm(this.ms);
      promise.then(
        (value) => {
          this.settle(entry);
          resolve(value);
        },
        (err: unknown) => {
          this.settle(entry);
          reject(err);
        },
      );
    });
  }

  /**
   * Calls mostly settle in start order (one connection answers in order), so the settled ones are
   * dropped from the front at once: the queue holds about the calls in flight, and its entries die
   * young (kept until a deadline, each survived the young generation and made garbage collection dear).
   */
  private settle(entry: Waiting): void {
    entry.settled = true;
    const { waiting } = this;
    while (this.head < waiting.length && waiting[this.head].settled) this.head++;
    if (this.head === waiting.length) {
      waiting.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > waiting.length) {
      this.waiting = waiting.slice(this.head);
      this.head = 0;
    }
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(ms)));
    this.timer.unref(); // a bound must not keep a process alive on its own
  }

  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    const { waiting } = this;
    while (this.head < waiting.length) {
      const entry = waiting[this.head];
      if (!entry.settled && entry.deadline > now) break;
      this.head++;
      if (!entry.settled) {
        entry.settled = true;
        entry.reject(entry.error());
      }
    }
    if (this.head === waiting.length) {
      waiting.length = 0;
      this.head = 0;
      return;
    }
    if (this.head > 1024 && this.head * 2 > waiting.length) {
      this.waiting = waiting.slice(this.head);
      this.head = 0;
    }
    this.arm(this.waiting[this.head].deadline - now);
  }
}
