export { startBuiltService, type BuiltServiceOptions } from './lib/built-service';
export { runBench, writeBenchReport } from './lib/bench-report';
export { freePort } from './lib/free-port';
export { startTestRedis, type TestRedis, type TestRedisOptions } from './lib/redis-server';
export {
  startServiceProcess,
  workspaceRoot,
  type ServiceProcess,
  type ServiceProcessOptions,
} from './lib/service-process';
export {
  createTestDatabase,
  describeEachDialect,
  postgresSkipReason,
  testDialects,
  type Dialect,
  type TestDatabase,
} from './lib/test-database';
export { sleep, waitFor } from './lib/wait-for';
export { describeServiceFoundation } from './lib/service-foundation.suite';
export {
  startTestRedisCluster,
  startTestRedisSentinel,
  type TestRedisCluster,
  type TestRedisSentinel,
} from './lib/redis-topologies';
export { liveChildren, trackChild } from './lib/child-registry';
export { Teardown } from './lib/teardown';
export { readMetric } from './lib/metrics';
