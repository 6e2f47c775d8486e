import type { RedisClient } from './redis-client.factory';

/**
 * Creates a stream's consumer group (and the stream, `MKSTREAM`) if missing. From id `0`, so entries
 * written before the group existed are delivered too. Used by every consumer group in the workspace
 * (the messaging transport, the write-behind queue).
 */
export async function ensureGroup(client: RedisClient, stream: string, group: string): Promise<void> {
  try {
    await client.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
  }
}
