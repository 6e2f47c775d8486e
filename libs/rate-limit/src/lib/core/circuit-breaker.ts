export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * After `threshold` consecutive failures no Redis call is made for `cooldownMs`; then one trial call is
 * let through and its success closes the breaker again. While open a decision costs no network wait,
 * so a limited route never queues behind a dead Redis. (Same contract as the cache's breaker; a shared
 * `type:util` lib would let both use one copy.)
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private trialRunning = false;
  private current: BreakerState = 'closed';

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly onChange: (state: BreakerState) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.current;
  }

  /** Whether a call may go to Redis now. */
  allows(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && !this.trialRunning) {
      this.trialRunning = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.failures = 0;
    this.trialRunning = false;
    this.set('closed');
  }

  failure(): void {
    this.trialRunning = false;
    this.failures++;
    if (this.current === 'open' || this.failures >= this.threshold) {
      this.openedAt = this.now();
      this.set('open');
    }
  }

  private set(state: BreakerState): void {
    if (state !== this.current) {
      this.current = state;
      this.onChange(state);
    }
  }
}
