export { CounterBuffer, collectBuffered } from './lib/counter-buffer';
export { backoffMs } from './lib/backoff';
export { metricOnce } from './lib/metric-once';
export { redactUrl } from './lib/redact-url';
export { toMs, type Duration, type DurationRules } from './lib/duration';
export { withTimeout } from './lib/with-timeout';
export { SharedTimeout } from './lib/shared-timeout';
