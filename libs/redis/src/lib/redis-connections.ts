import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ClientProfile } from './client-profiles';
import { KeyBuilder } from './key-builder';
import { createRedisClient, type RedisClient } from './redis-client.factory';
import { RedisHealth, type RedisRole } from './redis-health';
import { REDIS_MODULE_OPTIONS } from './redis.module-definition';
import { resolveRedisOptions, type RedisModuleOptions, type ResolvedRedisOptions } from './redis-options';
import { redactUrl } from './redis-url';

/**
 * The one place that opens Redis connections. Every process shares one request-path client and one
 * background client per role (`shared()`); components that need a connection of their own (a
 * subscriber, a blocking stream reader) ask `dedicated()`. All are health-tracked and closed on shutdown.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  readonly health = new RedisHealth();
  readonly keys: KeyBuilder;
  readonly options: ResolvedRedisOptions;
  private readonly logger = new Logger('Redis');
  private readonly sharedClients = new Map<string, RedisClient>();
  private readonly owned = new Map<string, RedisClient>();
  private closed = false;

  constructor(@Inject(REDIS_MODULE_OPTIONS) options: RedisModuleOptions) {
    this.options = resolveRedisOptions(options);
    this.keys = new KeyBuilder(this.options.keyPrefix);
    this.health.on('change', (state: string, previous: string) => {
      if (this.closed) return; // connections going down during shutdown are expected
      const log = state === 'up' ? 'log' : 'warn';
      this.logger[log]({
        msg: 'redis health changed',
        state,
        previous,
        connections: this.health.connections(),
      });
    });
  }

  /**
   * The shared client of a role and profile, created on first use. When the cache URL equals the data
   * URL the cache role reuses the data clients: one connection per profile per process.
   */
  shared(role: RedisRole = 'data', profile: ClientProfile = 'request'): RedisClient {
    const effectiveRole = role === 'cache' && this.options.cacheUrl === this.options.url ? 'data' : role;
    const id = `${effectiveRole}-${profile}`;
    let client = this.sharedClients.get(id);
    if (!client) {
      client = this.open(id, effectiveRole, profile, effectiveRole === 'data');
      this.sharedClients.set(id, client);
    }
    return client;
  }

  /** A connection owned by one component (subscriber, blocking reader); `purpose` names it in `CLIENT LIST`. */
  dedicated(
    role: RedisRole,
    profile: ClientProfile,
    purpose: string,
    required = role === 'data',
  ): RedisClient {
    let name = `${role}-${purpose}`;
    for (let n = 2; this.owned.has(name); n++) name = `${role}-${purpose}-${n}`;
    return this.open(name, role, profile, required);
  }

  /**
   * A dedicated plain connection to one node of the role's Cluster (same credentials, TLS and profile).
   * Sharded pub/sub needs it: ioredis' cluster subscriber re-subscribes on its own after a drop and
   * never says so, while a subscriber that owns its connection sees every reconnect. On a standalone
   * or Sentinel URL this is the same as `dedicated()`.
   */
  dedicatedNode(
    role: RedisRole,
    profile: ClientProfile,
    purpose: string,
    node: { host: string; port: number },
    required = role === 'data',
  ): Redis {
    let name = `${role}-${purpose}`;
    for (let n = 2; this.owned.has(name); n++) name = `${role}-${purpose}-${n}`;
    return this.open(name, role, profile, required, node) as Redis;
  }

  /** Closes one dedicated connection early (the rest close on shutdown). */
  async release(client: RedisClient): Promise<void> {
    for (const [name, c] of this.owned) {
      if (c === client) {
        this.owned.delete(name);
        this.health.untrack(name);
      }
    }
    await quit(client, this.options.shutdownTimeoutMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** QUITs every connection (bounded by `shutdownTimeoutMs`), then drops what is left. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const clients = [...this.owned.values()];
    this.owned.clear();
    this.sharedClients.clear();
    await Promise.all(clients.map((c) => quit(c, this.options.shutdownTimeoutMs)));
  }

  private open(
    name: string,
    role: RedisRole,
    profile: ClientProfile,
    required: boolean,
    node?: { host: string; port: number },
  ): RedisClient {
    if (this.closed) throw new Error('RedisConnections is closed');
    const url = role === 'cache' ? this.options.cacheUrl : this.options.url;
    const client = createRedisClient({
      url,
      profile,
      connectionName: `${this.options.connectionName}:${name}`,
      commandTimeoutMs: this.options.commandTimeoutMs,
      connectTimeoutMs: this.options.connectTimeoutMs,
      maxReconnectDelayMs: this.options.maxReconnectDelayMs,
      node,
    });
    this.owned.set(name, client);
    this.health.track(name, role, client, required);
    // The first connect may fail; the retry strategy keeps trying and the health state reports it.
    client.connect().catch((err: Error) => {
      this.logger.warn({
        msg: 'redis connect failed, retrying',
        connection: name,
        url: redactUrl(url),
        error: err.message,
      });
    });
    return client;
  }
}

/** QUIT (lets in-flight replies arrive), bounded by `timeoutMs`; resolves once the client has ended. */
async function quit(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  try {
    if (client.status === 'ready') await Promise.race([client.quit(), deadline]);
  } catch {
    // The socket is going away anyway.
  }
  // Between attempts (`reconnecting`) there is no socket: disconnect() only cancels the next attempt and
  // ioredis emits no 'end', so waiting for one would always cost the whole timeout.
  const hadSocket = client.status !== 'reconnecting';
  client.disconnect();
  if (hadSocket) await Promise.race([ended, deadline]);
  clearTimeout(timer);
}
