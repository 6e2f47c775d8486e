import ms, { type StringValue } from 'ms';

/** A duration as the cache takes it: `'3s'`, `'500ms'`, `'2m'`, or milliseconds. */
export type Duration = StringValue | number;

/** Milliseconds of a duration; throws at registration on a malformed one instead of using NaN later. */
export function durationMs(value: Duration, what: string): number {
  const result = typeof value === 'number' ? value : ms(value);
  if (typeof result !== 'number' || !Number.isFinite(result) || result <= 0) {
    throw new Error(
      `invalid duration for ${what}: ${String(value)} (use e.g. '3s', '500ms' or milliseconds)`,
    );
  }
  return result;
}
