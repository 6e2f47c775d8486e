import type { Writable } from 'node:stream';
import type { RedisClient } from './redis-client.factory';

/**
 * Most commands one corked write carries. Why a cap: a whole tick's commands in one write (50 replies,
 * 50 next requests) made the two sides take turns, Redis idle while this process issued the batch and
 * this process idle while Redis ran it; on an idle 2-core machine that lost more than the syscalls saved
 * (`npm run bench:transport` 0.97x Nest's `Transport.REDIS` with one server, `bench:rate-limit` 0.68x of
 * rate-limiter-flexible with 50 in flight). With writes of at most 16, Redis starts on the first while
 * the rest are issued: 1.33x and 1.03x in the same run, and still about one syscall per 16 commands.
 * Without corking at all: 1.12x and 0.85x.
 */
export const MAX_COALESCED_COMMANDS = 16;

/** Commands corked on a socket in the current write (a socket is corked by this module only). */
const corkedCommands = new WeakMap<Writable, number>();

/**
 * Holds a client's socket writes until the end of the current tick, or until `MAX_COALESCED_COMMANDS`
 * commands are held, so the commands a process issues together (a batch of replies, the next requests
 * of many callers woken by one read) leave in a few `writev`s instead of one syscall each. Call it right
 * before issuing each command; it is a no-op for a Cluster client (many sockets) or while the client is
 * not connected (ioredis queues or fails the command itself then). Clients from `createRedisClient` (so
 * every `RedisConnections` client) already call it before each command; an explicit call matters for
 * other clients only (there, commands issued without a call are not counted against the cap).
 *
 * ioredis' own `enableAutoPipelining` does the same through a Pipeline per `setImmediate`; measured in
 * `npm run bench:transport` that cost more than it saved, while a corked socket costs one flag.
 */
export function coalesceWrites(client: RedisClient): void {
  const socket = (client as unknown as { stream?: Writable }).stream;
  if (!socket?.cork || client.status !== 'ready') return;
  if (socket.writableCorked === 0) {
    socket.cork();
    corkedCommands.set(socket, 1);
    process.nextTick(uncork, socket);
    return;
  }
  const held = (corkedCommands.get(socket) ?? 0) + 1;
  if (held <= MAX_COALESCED_COMMANDS) {
    corkedCommands.set(socket, held);
    return;
  }
  // Full: what is held leaves now (this command with the next write), and the socket stays corked for
  // the rest of the tick; the uncork queued for the first cork releases it.
  socket.uncork();
  socket.cork();
  corkedCommands.set(socket, 1);
}

function uncork(socket: Writable): void {
  corkedCommands.delete(socket);
  if (socket.writableCorked > 0) socket.uncork(); // the one cork this module holds
}
