import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, lets one trial through after the cooldown, closes on success', () => {
    let now = 0;
    const changes: string[] = [];
    const breaker = new CircuitBreaker(
      3,
      1000,
      (s) => changes.push(s),
      () => now,
    );
    breaker.failure();
    breaker.failure();
    expect(breaker.allows()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allows()).toBe(false);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.allows()).toBe(true);
    expect(breaker.allows()).toBe(false); // only one trial
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'closed']);
  });

  it('a failed trial reopens for another cooldown', () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 500, undefined, () => now);
    breaker.failure();
    now = 600;
    expect(breaker.allows()).toBe(true);
    breaker.failure();
    expect(breaker.allows()).toBe(false);
    now = 1099;
    expect(breaker.state).toBe('open');
    now = 1100;
    expect(breaker.state).toBe('half-open');
  });

  it('a success resets the failure count', () => {
    const breaker = new CircuitBreaker(2, 1000);
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
  });
});
