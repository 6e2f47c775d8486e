import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { coalesceWrites } from './coalesce-writes';
import { profileOptions, reconnectDelay, type ClientProfile, type ProfileTimings } from './client-profiles';
import { parseRedisUrl } from './redis-url';

/** A connection to standalone/Sentinel Redis or to a Cluster; the commands used by the libs exist on both. */
export type RedisClient = Redis | Cluster;

export interface CreateClientOptions extends ProfileTimings {
  url: string;
  profile: ClientProfile;
  /** Shown by `CLIENT LIST`; helps an operator tell instances and roles apart. */
  connectionName: string;
  /**
   * For a Cluster URL: connect to this one node as a plain (non-cluster) client instead, with the
   * URL's credentials and TLS. For what must stay on one node, such as a shard channel's subscriber.
   */
  node?: { host: string; port: number };
}

/**
 * Builds an ioredis client for a URL and a profile. The client is created with `lazyConnect` and
 * connected by the caller, so a failing first connect never becomes an unhandled rejection.
 */
export function createRedisClient(options: CreateClientOptions): RedisClient {
  const endpoint = parseRedisUrl(options.url);
  const base: RedisOptions = {
    ...profileOptions(options.profile, options),
    connectionName: options.connectionName,
    username: endpoint.auth.username,
    password: endpoint.auth.password,
    tls: endpoint.tls,
  };
  switch (endpoint.kind) {
    case 'standalone':
      return coalescing(new Redis({ ...base, host: endpoint.host, port: endpoint.port, db: endpoint.db }));
    case 'sentinel':
      return coalescing(
        new Redis({
          ...base,
          sentinels: endpoint.sentinels,
          name: endpoint.masterName,
          db: endpoint.db,
          sentinelPassword: endpoint.sentinelPassword,
          sentinelRetryStrategy: (attempt: number) => reconnectDelay(attempt, options.maxReconnectDelayMs),
          enableTLSForSentinelMode: endpoint.tls !== undefined,
        }),
      );
    case 'cluster': {
      if (options.node)
        return coalescing(new Redis({ ...base, host: options.node.host, port: options.node.port }));
      const { retryStrategy, enableOfflineQueue, lazyConnect, ...redisOptions } = base;
      return new Cluster(endpoint.nodes, {
        redisOptions,
        clusterRetryStrategy: (attempt) => (retryStrategy ? (retryStrategy(attempt) ?? null) : null),
        enableOfflineQueue,
        lazyConnect,
        // One slot refresh per topology change instead of one per MOVED reply.
        slotsRefreshTimeout: options.connectTimeoutMs,
        // SSUBSCRIBE goes to the node owning the channel's slot (and follows it), so SPUBLISH counts
        // its receivers exactly: a plain PUBLISH on a Cluster counts only the receiving node's.
        // Subscribers use the background profile; request clients never subscribe.
        shardedSubscribers: options.profile === 'background',
      });
    }
  }
}

/**
 * Every command goes through `coalesceWrites`: the commands a process issues in one tick leave in one
 * socket write, wherever they come from. Awaited chains are the common case (many callers woken by
 * one read each issue their next command), and a write syscall on loopback costs more than the
 * command's own work in Redis, so one per command was the largest CPU cost of a busy write path. The
 * order of commands on the connection is unchanged (a corked socket only holds them) and the write
 * leaves before the tick ends, so no reply waits for anything but Redis.
 */
function coalescing(client: Redis): Redis {
  const send = client.sendCommand.bind(client);
  client.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    coalesceWrites(client);
    return send(...args);
  };
  return client;
}

/**
 * Resolves true once the client is ready, or false after `timeoutMs` (never rejects). For start-up code
 * that wants a connected request-path client without turning a Redis outage into a crash.
 */
export function whenReady(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  // One 'ready' listener per client however many callers wait (a burst of calls at start-up added one
  // each and tripped ioredis' MaxListeners warning); each caller keeps its own deadline.
  let ready = readyWaits.get(client);
  if (!ready) {
    ready = new Promise<void>((resolve) =>
      client.once('ready', () => {
        readyWaits.delete(client);
        resolve();
      }),
    );
    readyWaits.set(client, ready);
  }
  const shared = ready;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    void shared.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const readyWaits = new WeakMap<RedisClient, Promise<void>>();
