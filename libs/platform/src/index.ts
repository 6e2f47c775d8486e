export { bootstrapService, type BootstrapOptions } from './lib/bootstrap/bootstrap-service';
export { EnvModule } from './lib/env/env.module';
export { APP_ENV, InjectEnv, SERVICE_NAME } from './lib/env/env.tokens';
export { LOG_LEVELS, ServiceEnv } from './lib/env/service-env';
export { redisOptionsFromEnv } from './lib/env/redis-options-from-env';
export { IsDatabaseUrl, IsRedisUrl } from './lib/env/url-validators';
export { EnvValidationError, validateEnv } from './lib/env/validate-env';
export { READINESS_CHECKS, type ReadinessCheck } from './lib/health/readiness-check';
export { AllExceptionsFilter, type ErrorBody } from './lib/http/all-exceptions.filter';
export { beginEarlyAnswer, type EarlyAnswer } from './lib/http/early-answer';
export { REQUEST_ID_HEADER } from './lib/logging/request-id';
export { httpRequestDuration } from './lib/metrics/http-metrics.middleware';
export { PlatformModule } from './lib/platform.module';
export type { PlatformOptions } from './lib/platform-options';
export {
  STREAMS_SERVER,
  streamsClientProvider,
  streamsServerProvider,
} from './lib/messaging/messaging.providers';
export {
  InjectStreamsClient,
  MessagingClientsModule,
  type StreamsClientRegistration,
} from './lib/messaging/messaging-clients.module';
export type { Duration } from '@shop/util';
export { serviceInfrastructure, type ServiceInfrastructureOptions } from './lib/service-infrastructure';
export { instanceFigures, type InstanceFigures } from './lib/instances/instance-figures';
export { InstanceReporter, readInstanceReports, type InstanceReport } from './lib/instances/instance-report';
export { InstanceReportModule } from './lib/instances/instance-report.module';
export { counterOnce, gaugeOnce, metricOnce } from './lib/metrics/metric-once';
