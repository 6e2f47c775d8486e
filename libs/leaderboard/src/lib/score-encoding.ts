import { createHash } from 'node:crypto';

/**
 * How a board orders members (README "Score encoding"):
 * - the sorted-set **score is the exact total, negated** (`-total`), so `ZRANGE 0 n` lists the highest
 *   total first. A double holds every integer up to 2^53 - 1 exactly, hence the bound below;
 * - ties are broken by the **member string**, which Redis compares byte-wise among equal scores: it is
 *   `<tie><member>`, `<tie>` a fixed-width 29-character stamp of the member's latest change,
 *   `<at ms, 13 digits><first 16 hex digits of SHA-1(eventId)>`. Smaller stamp = changed earlier = ranks
 *   higher among equal totals ("who reached this total first").
 * The stamp of a member is the *largest* stamp of the events that changed it (not the last applied), so
 * the board does not depend on delivery order: a live board and a rebuild from the same events, in any
 * order, are identical — ties included.
 */
export const MAX_TOTAL = Number.MAX_SAFE_INTEGER; // 9_007_199_254_740_991 = 2^53 - 1
export const TIE_LENGTH = 29;
/** Latest event time a stamp can hold (13 digits of ms: 2286-11-20). */
export const MAX_AT_MS = 9_999_999_999_999;

/** The tie-break stamp of an event: a function of the event alone, so replays reproduce it. */
export function tieStamp(eventId: string, atMs: number): string {
  const digest = createHash('sha1').update(eventId).digest('hex').slice(0, 16);
  return `${String(atMs).padStart(13, '0')}${digest}`;
}

/** The member id inside a sorted-set member. */
export function memberOf(encoded: string): string {
  return encoded.slice(TIE_LENGTH);
}

/** The exact total from a sorted-set score reply (`-total`); `|| 0` turns a stored -0 into 0. */
export function totalOf(score: string): number {
  return -Number(score) || 0;
}
