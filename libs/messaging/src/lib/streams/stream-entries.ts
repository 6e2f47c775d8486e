import type { RedisClient } from '@shop/redis';

/** `[id, [field, value, ...]]`; fields are null when the entry was trimmed away but is still pending. */
export type StreamEntry = [id: string, fields: string[] | null];

/** Creates the consumer group (and the stream) if missing. `0` so entries written before the group existed are delivered too. */
export async function ensureGroup(client: RedisClient, stream: string, group: string): Promise<void> {
  try {
    await client.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
  }
}

/** Entries of one stream from an `XREADGROUP`/`XREAD` reply (RESP2 shape). */
export function entriesOf(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const [, entries] = reply[0] as [string, StreamEntry[]];
  return entries ?? [];
}

/** `XADD stream MAXLEN ~ n * field value ...` */
export function xaddCapped(
  client: RedisClient,
  stream: string,
  maxLen: number,
  fields: string[],
): Promise<string | null> {
  return client.xadd(stream, 'MAXLEN', '~', maxLen, '*', ...fields);
}

/** `XCLAIM` (ioredis' typings only accept the full option list, so it is sent as a raw command). */
export async function xclaim(
  client: RedisClient,
  stream: string,
  group: string,
  consumer: string,
  minIdleMs: number,
  entryId: string,
  justId = false,
): Promise<StreamEntry[]> {
  const args = [stream, group, consumer, String(minIdleMs), entryId, ...(justId ? ['JUSTID'] : [])];
  return (await client.call('XCLAIM', ...args)) as StreamEntry[];
}
