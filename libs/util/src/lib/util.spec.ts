import { Counter, Registry } from 'prom-client';
import { backoffMs, metricOnce, redactUrl, toMs, withTimeout } from '../index';

describe('toMs', () => {
  it('takes ms strings and numbers', () => {
    expect(toMs('3s', 'x')).toBe(3000);
    expect(toMs('500ms', 'x')).toBe(500);
    expect(toMs(250, 'x')).toBe(250);
    expect(toMs(0, 'x')).toBe(0);
  });

  it('names the option in the error for malformed, negative or (when refused) zero durations', () => {
    expect(() => toMs('3 lightyears' as never, 'ttl')).toThrow(/invalid duration for ttl: 3 lightyears/);
    expect(() => toMs(-1, 'ttl')).toThrow(/ttl/);
    expect(() => toMs(Number.NaN, 'ttl')).toThrow(/ttl/);
    expect(() => toMs(0, 'idleTtl', { allowZero: false })).toThrow(/idleTtl: 0.*> 0/);
  });

  it('throws the error class a lib asks for', () => {
    class InputError extends Error {}
    expect(() => toMs('x' as never, 'y', { error: (m) => new InputError(m) })).toThrow(InputError);
  });
});

describe('withTimeout', () => {
  it('passes a value or an error through before the deadline', async () => {
    await expect(withTimeout(Promise.resolve(1), 50, () => new Error('late'))).resolves.toBe(1);
    await expect(withTimeout(Promise.reject(new Error('no')), 50, () => new Error('late'))).rejects.toThrow(
      'no',
    );
  });

  it('rejects with the given error once the deadline passed', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, () => new Error('late'))).rejects.toThrow('late');
  });

  it('has no bound for a non-positive or non-finite ms', async () => {
    const p = Promise.resolve('x');
    expect(withTimeout(p, 0, () => new Error('late'))).toBe(p);
    expect(withTimeout(p, Number.POSITIVE_INFINITY, () => new Error('late'))).toBe(p);
  });
});

describe('metricOnce', () => {
  it('creates a metric once per registry and returns the same one after', () => {
    const make = (registry: Registry) => () =>
      new Counter({ name: 'util_test_total', help: 'h', registers: [registry] });
    const registry = new Registry();
    const a = metricOnce('util_test_total', make(registry), registry);
    // A second registration would throw in prom-client: the first metric is returned instead.
    expect(metricOnce('util_test_total', make(registry), registry)).toBe(a);
    const other = new Registry();
    expect(metricOnce('util_test_total', make(other), other)).not.toBe(a);
  });
});

describe('backoffMs', () => {
  it('doubles from the first delay per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, 50, 1000))).toEqual([50, 100, 200, 400, 800, 1000]);
    expect(backoffMs(0, 50, 1000)).toBe(50);
    expect(backoffMs(10_000, 50, 1000)).toBe(1000);
  });

  it('with jitter stays within the upper half of the delay', () => {
    for (let i = 0; i < 100; i++) {
      const d = backoffMs(3, 50, 1000, { jitter: true });
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });
});

describe('redactUrl', () => {
  it('hides the user-info password whatever it holds, and the named query parameters', () => {
    expect(redactUrl('redis://u:topsecret@h:1')).toBe('redis://u:***@h:1');
    expect(redactUrl('postgres://u:a/b@c@db:5432/x')).toBe('postgres://u:***@db:5432/x');
    expect(redactUrl('postgres://db/x?user=u&Password=p1&sslmode=require', ['password'])).toBe(
      'postgres://db/x?user=u&Password=***&sslmode=require',
    );
    expect(redactUrl('u:secret@host')).toBe('***@host');
    expect(redactUrl('redis://h:6379/0')).toBe('redis://h:6379/0');
  });
});
