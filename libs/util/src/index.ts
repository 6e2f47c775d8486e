export { backoffMs } from './lib/backoff';
export { toMs, type Duration, type DurationRules } from './lib/duration';
export { metricOnce } from './lib/metric-once';
export { redactUrl } from './lib/redact-url';
export { withTimeout } from './lib/with-timeout';
