export { RedisStreamsClient } from './lib/client/streams-client';
export { StreamsRecord, type StreamsRecordOptions } from './lib/client/streams-record';
export {
  decodeEnvelope,
  encode,
  newMessageId,
  UndecodableMessageError,
  type Envelope,
  type ReplyEnvelope,
} from './lib/envelope';
export { DomainError, isDomainError } from './lib/domain-error';
export { requestContext, type RequestContext } from './lib/request-context';
export { MessagingError, writeFailureCode, type MessagingErrorCode } from './lib/errors';
export { FanOutReader, type FanOutOptions } from './lib/fan-out/fan-out-reader';
export { messagingMetrics } from './lib/messaging-metrics';
export {
  messagingDefaults,
  type MessagingCommonOptions,
  type StreamsClientOptions,
  type StreamsServerOptions,
} from './lib/messaging-options';
export { RpcErrorPassthroughFilter } from './lib/server/rpc-error-passthrough.filter';
export { serializeHandlerError } from './lib/server/serialize-error';
export { RedisStreamsContext } from './lib/server/streams-context';
export { RedisStreamsServer } from './lib/server/streams-server';
export { producerOf, streamNames } from './lib/streams/stream-names';
export { IdempotentLuaScript } from './lib/idempotency/idempotent-lua-script';
export { processedMessagesMigration, runOnce } from './lib/idempotency/run-once';
export {
  pruneProcessedMessages,
  startProcessedMessagesPruning,
  type PruneProcessedOptions,
} from './lib/idempotency/prune-processed';
export { insertOutboxEvent, outboxMigration, type OutboxDb, type OutboxRow } from './lib/outbox/outbox';
export { OutboxRelay, type OutboxRelayOptions } from './lib/outbox/outbox-relay';
export { groupStats, type GroupStats } from './lib/health/messaging-health';
export { MessagingHealthIndicator } from './lib/health/messaging.health-indicator';
export { trimArgs, xadd, xaddCapped, type StreamRetention } from './lib/streams/stream-entries';
export { compareStreamIds, groupsFloor, trimByGroups, TrimThrottle } from './lib/streams/trim-by-groups';
