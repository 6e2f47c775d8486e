export { CircuitBreaker, type BreakerState } from './lib/circuit-breaker';
export { reconnectDelay, type ClientProfile } from './lib/client-profiles';
export { coalesceWrites, MAX_COALESCED_COMMANDS } from './lib/coalesce-writes';
export { ensureGroup } from './lib/ensure-group';
export { keepSubscribed, type Subscription } from './lib/keep-subscribed';
export { InvalidKeyPartError, KeyBuilder } from './lib/key-builder';
export { LuaScript } from './lib/lua-script';
export {
  createRedisClient,
  whenReady,
  type CreateClientOptions,
  type RedisClient,
} from './lib/redis-client.factory';
export { RedisConnections } from './lib/redis-connections';
export {
  RedisHealth,
  type ConnectionStatus,
  type RedisHealthState,
  type RedisRole,
} from './lib/redis-health';
export { entriesOf, type StreamEntry } from './lib/streams/stream-entry';
export { StreamGroupReader } from './lib/streams/stream-group-reader';
export type {
  EntryOrigin,
  StreamBatchHandler,
  StreamGroupReaderOptions,
  StreamGroupReaderStopped,
} from './lib/streams/stream-group-reader-options';
export { RedisHealthIndicator } from './lib/redis.health-indicator';
export { RedisModule } from './lib/redis.module';
export { REDIS_MODULE_OPTIONS } from './lib/redis.module-definition';
export { resolveRedisOptions, type RedisModuleOptions, type ResolvedRedisOptions } from './lib/redis-options';
export { REDIS_CACHE_CLIENT, REDIS_CLIENT, InjectRedis } from './lib/redis.tokens';
export { InvalidRedisUrlError, parseRedisUrl, redactUrl, type RedisEndpoint } from './lib/redis-url';
