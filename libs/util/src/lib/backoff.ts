/**
 * Exponential backoff: `firstMs` for attempt 1, doubling per attempt, capped at `capMs`. With `jitter`
 * the result is drawn from its upper half (`[d/2, d]`), so many processes that failed together do not
 * retry in lockstep. Attempts below 1 count as 1; the exponent stops growing at 30 (no overflow).
 */
export function backoffMs(
  attempt: number,
  firstMs: number,
  capMs: number,
  { jitter = false }: { jitter?: boolean } = {},
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const delay = Math.min(capMs, firstMs * 2 ** exponent);
  return jitter ? Math.round(delay / 2 + Math.random() * (delay / 2)) : delay;
}
