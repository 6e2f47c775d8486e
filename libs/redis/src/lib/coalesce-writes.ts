import type { RedisClient } from './redis-client.factory';

const corked = new WeakSet<object>();

/**
 * Holds a client's socket writes until the end of the current tick, so the commands a process issues
 * together (a batch of replies, the next requests of many callers woken by one read) leave in one
 * `writev` instead of one syscall each. Call it right before issuing the commands; it is a no-op for a
 * Cluster client (many sockets) or while the client is not connected (ioredis queues or fails the
 * command itself then).
 *
 * ioredis' own `enableAutoPipelining` does the same through a Pipeline per `setImmediate`; measured in
 * `npm run bench:transport` that cost more than it saved, while a corked socket costs one flag.
 */
export function coalesceWrites(client: RedisClient): void {
  const socket = (
    client as unknown as { stream?: NodeJS.WritableStream & { cork?(): void; uncork?(): void } }
  ).stream;
  if (!socket?.cork || client.status !== 'ready' || corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork?.();
  });
}
