export { BackgroundLoop } from './lib/background-loop';
export { CounterBuffer, collectBuffered } from './lib/counter-buffer';
export { SharedTimeout } from './lib/shared-timeout';
export { backoffMs } from './lib/backoff';
export { metricOnce } from './lib/metric-once';
export { redactUrl } from './lib/redact-url';
export { toMs, type Duration, type DurationRules } from './lib/duration';
export { untilDeadline } from './lib/until-deadline';
export { withTimeout } from './lib/with-timeout';
