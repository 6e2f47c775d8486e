import type { Writable } from 'node:stream';
import type { RedisClient } from './redis-client.factory';

/**
 * Holds a client's socket writes until the end of the current tick, so the commands a process issues
 * together (a batch of replies, the next requests of many callers woken by one read) leave in one
 * `writev` instead of one syscall each. Call it right before issuing the commands; it is a no-op for a
 * Cluster client (many sockets) or while the client is not connected (ioredis queues or fails the
 * command itself then). Clients from `createRedisClient` (so every `RedisConnections` client) already
 * call it before each command; an explicit call matters for other clients only.
 *
 * ioredis' own `enableAutoPipelining` does the same through a Pipeline per `setImmediate`; measured in
 * `npm run bench:transport` that cost more than it saved, while a corked socket costs one flag.
 */
export function coalesceWrites(client: RedisClient): void {
  const socket = (client as unknown as { stream?: Writable }).stream;
  // `writableCorked` already says whether this tick corked it: no bookkeeping of our own.
  if (!socket?.cork || client.status !== 'ready' || socket.writableCorked > 0) return;
  socket.cork();
  process.nextTick(() => socket.uncork());
}
