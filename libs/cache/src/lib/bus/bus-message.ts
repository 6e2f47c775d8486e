import { isValidGlob } from '../keys/glob-match';

/** One invalidation: keys to drop, tag versions to adopt, a pattern to drop, or everything. */
export interface BusMessage {
  /** Sender id (unique per process start). */
  s: string;
  /** Per-sender sequence number, 1, 2, 3, ... */
  q: number;
  k?: string[];
  t?: Record<string, number>;
  /** A glob (`*`, `?`; see `keys/glob-match.ts`), validated again by every receiver. */
  p?: string;
  c?: 1;
  /**
   * Set on the first message after one of this sender's publishes failed: a receiver that had forgotten
   * the sender (idle senders are pruned) would otherwise not see the skipped number.
   */
  r?: 1;
}

const MAX_KEYS = 10_000;
const MAX_TEXT = 4_096;

/**
 * Decodes and checks a message received from Redis. Anything that is not exactly what a sender of this
 * library writes is refused (undefined) and never acted on: whoever can publish on the channel must not
 * be able to make every instance run an expensive or malformed pattern.
 */
export function parseBusMessage(text: string): BusMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m.s !== 'string' || m.s.length === 0 || m.s.length > 64) return undefined;
  if (typeof m.q !== 'number' || !Number.isSafeInteger(m.q) || m.q < 1) return undefined;
  if (m.k !== undefined && !isKeyList(m.k)) return undefined;
  if (m.t !== undefined && !isVersionMap(m.t)) return undefined;
  if (m.p !== undefined && !isValidGlob(m.p)) return undefined;
  if (m.c !== undefined && m.c !== 1) return undefined;
  if (m.r !== undefined && m.r !== 1) return undefined;
  return m as unknown as BusMessage;
}

function isKeyList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_KEYS &&
    value.every((k) => typeof k === 'string' && k.length > 0 && k.length <= MAX_TEXT)
  );
}

function isVersionMap(value: unknown): value is Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= MAX_KEYS &&
    entries.every(([tag, v]) => tag.length <= MAX_TEXT && Number.isSafeInteger(v) && (v as number) >= 0)
  );
}
