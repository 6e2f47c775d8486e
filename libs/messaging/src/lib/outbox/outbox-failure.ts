import { backoffMs } from '@shop/util';

/**
 * Errors that say something about the Redis server, not about the row being published: every row after
 * it would fail the same way, so the round stops and the rows are retried later without counting an
 * attempt against them (an hour of OOM must not park the whole outbox). Connection-level errors (not a
 * Redis error reply) are of the same kind.
 */
const SERVER_STATE_PREFIXES = [
  'OOM',
  'READONLY',
  'LOADING',
  'BUSY',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'TRYAGAIN',
  'NOREPLICAS',
  'MISCONF',
];

export function isServerStateError(err: unknown): boolean {
  if (!(err instanceof Error)) return true;
  if (err.name !== 'ReplyError') return true;
  return SERVER_STATE_PREFIXES.some((prefix) => err.message.startsWith(prefix));
}

/** Delay before a failed row is tried again: `firstMs` doubling per attempt, capped. */
export function retryDelay(attempt: number, firstMs: number, capMs: number): number {
  return backoffMs(attempt, firstMs, capMs);
}

/** The stored text of a failure: bounded, so a huge error message cannot bloat the table. */
export function describeFailure(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
