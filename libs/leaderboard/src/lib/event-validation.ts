import { LeaderboardInputError } from './errors';
import { MAX_AT_MS, MAX_TOTAL } from './score-encoding';

/** One member's change in an event: positive for an order, negative for a cancellation. */
export interface LeaderboardDelta {
  member: string;
  delta: number;
}

/** One event for a board, as `apply` takes it and `rebuild` replays it. */
export interface LeaderboardEvent {
  eventId: string;
  entries: readonly LeaderboardDelta[];
  at: Date;
}

/** A member id: 1-128 characters that are safe in logs, URLs and Lua (no spaces, quotes or control bytes). */
export const MEMBER_ID = /^[A-Za-z0-9_.:@+-]{1,128}$/;
/** An event id becomes part of a key: no ':' or braces (they would change the key's shape or slot). */
export const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$/;
export const MAX_ENTRIES = 1000;

/**
 * Validates an event and merges the entries of one member (an order with two lines of one sku), so the
 * script sees each member once. Members whose deltas sum to 0 are dropped: they do not change the total,
 * so they must not change its tie-break stamp either. Throws `LeaderboardInputError` naming the problem.
 */
export function normalizeEvent(
  eventId: unknown,
  entries: unknown,
  at: unknown,
): { eventId: string; atMs: number; deltas: Map<string, number> } {
  if (typeof eventId !== 'string' || !EVENT_ID.test(eventId))
    throw new LeaderboardInputError(
      `invalid eventId ${JSON.stringify(eventId)}: 1-128 of [A-Za-z0-9_.@+-], starting alphanumeric`,
    );
  if (!(at instanceof Date) || !Number.isFinite(at.getTime()) || at.getTime() < 0 || at.getTime() > MAX_AT_MS)
    throw new LeaderboardInputError(`event ${eventId}: at must be a valid Date between 1970 and 2286`);
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES)
    throw new LeaderboardInputError(`event ${eventId}: entries must be an array of 1-${MAX_ENTRIES} items`);
  const deltas = new Map<string, number>();
  for (const entry of entries as unknown[]) {
    const { member, delta } = (entry ?? {}) as { member?: unknown; delta?: unknown };
    if (typeof member !== 'string' || !MEMBER_ID.test(member))
      throw new LeaderboardInputError(
        `event ${eventId}: invalid member ${JSON.stringify(member)?.slice(0, 140)}: 1-128 of [A-Za-z0-9_.:@+-]`,
      );
    if (typeof delta !== 'number' || !Number.isSafeInteger(delta))
      throw new LeaderboardInputError(
        `event ${eventId}: delta of ${member} must be a safe integer (|delta| <= ${MAX_TOTAL}), got ${String(delta)}`,
      );
    const sum = (deltas.get(member) ?? 0) + delta;
    if (!Number.isSafeInteger(sum))
      throw new LeaderboardInputError(`event ${eventId}: the deltas of ${member} add up beyond ${MAX_TOTAL}`);
    deltas.set(member, sum);
  }
  for (const [member, delta] of deltas) if (delta === 0) deltas.delete(member);
  return { eventId, atMs: at.getTime(), deltas };
}
