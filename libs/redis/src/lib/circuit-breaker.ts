export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Stops calling Redis after `threshold` consecutive failures, for `cooldownMs`; then lets one trial call
 * through (half-open) and closes again on its success. While open, calls fail at once, so a dead or
 * stalled Redis costs the request path nothing. Shared by the cache's L2 tier and the rate limiter.
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
