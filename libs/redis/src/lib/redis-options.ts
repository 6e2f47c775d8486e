/**
 * Options of `RedisModule`. Durations are milliseconds.
 */
export interface RedisModuleOptions {
  /** The data/bus Redis (`REDIS_URL`): streams, sessions, rate limits, leaderboards. Required. */
  url: string;
  /** The cache Redis (`REDIS_CACHE_URL`): L2 entries and tag versions. @default url */
  cacheUrl?: string;
  /** First segment of every key and channel, so several systems can share one Redis. @default 'app' */
  keyPrefix?: string;
  /** Prefix of `CLIENT SETNAME` for this process, e.g. `gateway-0`. @default 'app' */
  connectionName?: string;
  /** Command timeout of request-path clients. @default 500 */
  commandTimeoutMs?: number;
  /** TCP connect timeout. @default 2000 */
  connectTimeoutMs?: number;
  /** Cap of the reconnect backoff. @default 2000 */
  maxReconnectDelayMs?: number;
  /** How long shutdown waits for `QUIT` before dropping the sockets. @default 1000 */
  shutdownTimeoutMs?: number;
}

export type ResolvedRedisOptions = Required<RedisModuleOptions>;

/** Fills the defaults. Pure, so the mapping from config to options is testable on its own. */
export function resolveRedisOptions(options: RedisModuleOptions): ResolvedRedisOptions {
  return {
    url: options.url,
    cacheUrl: options.cacheUrl || options.url,
    keyPrefix: options.keyPrefix ?? 'app',
    connectionName: options.connectionName ?? 'app',
    commandTimeoutMs: options.commandTimeoutMs ?? 500,
    connectTimeoutMs: options.connectTimeoutMs ?? 2000,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 2000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 1000,
  };
}
