import { toMs, type Duration } from '@shop/rate-limit';

/** `<limit>/<window>`: `600/60s`, `5/15m`, `100/1h`, `10/500ms`. */
export const RATE_SPEC_PATTERN = /^([1-9]\d{0,8})\/([1-9]\d{0,8})(ms|s|m|h|d)$/;

export interface RateSpec {
  limit: number;
  windowMs: number;
}

/** Parses a rate from the env (validated by `RATE_SPEC_PATTERN` before, so a bad one fails at start). */
export function parseRateSpec(spec: string): RateSpec {
  const match = RATE_SPEC_PATTERN.exec(spec);
  if (!match) throw new Error(`"${spec}" is not a rate like 600/60s`);
  return { limit: Number(match[1]), windowMs: toMs(`${match[2]}${match[3]}` as Duration, spec) };
}
