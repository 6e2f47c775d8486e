import { RedisConnections } from '@shop/redis';
import type { TestRedis } from '@shop/testing';
import type { SessionData } from 'express-session';
import { Redis } from 'ioredis';
import { RedisSessionStore, type SessionsOptions } from '../src';

/** A store "instance" with its own connections, as a separate gateway process would have. */
export async function makeStore(url: string, id: string, options: Partial<SessionsOptions> = {}) {
  const connections = new RedisConnections({
    url,
    keyPrefix: 'st',
    connectionName: id,
    commandTimeoutMs: 300,
    maxReconnectDelayMs: 200,
  });
  const store = new RedisSessionStore({ connections, ...options });
  if (!(await store.ready(5000))) throw new Error(`store ${id} did not connect`);
  return { store, connections, close: () => connections.close() };
}

/** A plain client for assertions (TTL, fields, commandstats). */
export function rawClient(redis: TestRedis): Redis {
  return new Redis(redis.port, '127.0.0.1', { protocol: 2, maxRetriesPerRequest: 1 });
}

/** A session object as express-session would hand it to `set`. */
export function sessionFor(userId?: string, extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: null, httpOnly: true, path: '/' },
    ...(userId ? { auth: { userId, userAgent: 'jest', ip: '127.0.0.1' } } : {}),
    ...extra,
  } as unknown as SessionData;
}

/** Calls of one command since the last `CONFIG RESETSTAT`, from `INFO commandstats`. */
export async function commandCalls(client: Redis, command: string): Promise<number> {
  const info = await client.info('commandstats');
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return match ? Number(match[1]) : 0;
}

/** Redis `TIME` in milliseconds (the clock the scripts use). */
export async function redisNow(client: Redis): Promise<number> {
  const [sec, usec] = await client.time();
  return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
}
