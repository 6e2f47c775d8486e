import ms, { type StringValue } from 'ms';

/** A duration as every lib takes it: `'3s'`, `'500ms'`, `'2m'`, or milliseconds. */
export type Duration = StringValue | number;

export interface DurationRules {
  /** Whether 0 is a valid value (a disabled delay); otherwise it must be positive. @default true */
  allowZero?: boolean;
  /** The error to throw, for a lib with its own error class. @default Error */
  error?: (message: string) => Error;
}

/**
 * Milliseconds of a duration; throws on a malformed one (at configuration, naming the option) instead of
 * letting a NaN or a negative value through to a timer or a TTL later.
 */
export function toMs(value: Duration, what: string, rules: DurationRules = {}): number {
  const result = typeof value === 'number' ? value : ms(value);
  const allowZero = rules.allowZero ?? true;
  if (typeof result !== 'number' || !Number.isFinite(result) || result < 0 || (!allowZero && result === 0))
    throw (rules.error ?? ((m: string) => new Error(m)))(
      `invalid duration for ${what}: ${String(value)} (use e.g. '3s', '500ms' or milliseconds${allowZero ? '' : ' > 0'})`,
    );
  return result;
}
