import type { TrustProxy } from '@shop/rate-limit';

/** `TRUST_PROXY` as the rate limiter's identity (and Express' `trust proxy`) understands it. */
export function trustProxySetting(value: string): TrustProxy | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed.split(',').map((entry) => entry.trim());
}
