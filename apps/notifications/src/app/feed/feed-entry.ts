import type { Notification } from '@shop/contracts';
import type { NewNotification } from '../events/order-notification';

/** A stream entry as ioredis returns it: `[id, [field, value, ...]]`. */
export type RawEntry = [id: string, fields: string[]];

/** What an entry stores of a notification: every field but its id and read mark (those are derived). */
const STORED_FIELDS = [
  'kind',
  'orderId',
  'customerId',
  'status',
  'total',
  'message',
  'at',
  'eventId',
] as const satisfies ReadonlyArray<keyof NewNotification>;

/** Just the stored fields, in one order: nothing else an object carries reaches the feed or a reply. */
const stored = (n: NewNotification): NewNotification =>
  Object.fromEntries(STORED_FIELDS.map((f) => [f, n[f]])) as unknown as NewNotification;

/**
 * A feed entry holds the notification without its id and read mark (field `n`, JSON; the id is the
 * entry's own, the mark lives in the unread set) and the id of the entry before it (field `p`).
 */
export function encodeNotification(n: NewNotification): string {
  return JSON.stringify(stored(n));
}

/** The id of the entry before `entry` as the feed script recorded it (field `p`; the first ever has none). */
export function previousOf([, fields]: RawEntry): string | undefined {
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === 'p') return fields[i + 1];
  return undefined;
}

/** The notification of an entry, or undefined for an entry that holds none (never written by this service). */
export function decodeEntry([id, fields]: RawEntry, read: boolean): Notification | undefined {
  const at = fields.indexOf('n');
  if (at < 0 || at % 2 !== 0) return undefined;
  try {
    return withEntry(JSON.parse(fields[at + 1]) as NewNotification, id, read);
  } catch {
    return undefined;
  }
}

/** `n` with the id and read mark of its entry. */
export function withEntry(n: NewNotification, id: string, read: boolean): Notification {
  return { id, ...stored(n), read };
}
