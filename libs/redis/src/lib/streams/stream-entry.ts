/** `[id, [field, value, ...]]`; fields are null when the entry was trimmed away but is still pending. */
export type StreamEntry = [id: string, fields: string[] | null];

/** Entries of one stream from an `XREADGROUP`/`XREAD` reply (RESP2 shape). */
export function entriesOf(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const [, entries] = reply[0] as [string, StreamEntry[]];
  return entries ?? [];
}
