import { Counter, Gauge, register as globalRegistry, type Registry } from 'prom-client';
import { collectBuffered, metricOnce } from '@shop/util';

/** The limiter's Prometheus series (get-or-create: several limiters may share a registry). */
export function rateLimitMetrics(registry: Registry = globalRegistry) {
  const registers = [registry];
  return {
    decisions: metricOnce(
      'rate_limit_decisions_total',
      () =>
        new Counter({
          name: 'rate_limit_decisions_total',
          help: 'Policy decisions by outcome (allowed|denied|unavailable) and source (redis|local|fail-open|fail-closed)',
          labelNames: ['limiter', 'policy', 'outcome', 'source'],
          registers,
          // Decisions are counted in a CounterBuffer (a child's inc() hashes its labels every call).
          collect() {
            collectBuffered(this);
          },
        }),
      registry,
    ),
    redisFailures: metricOnce(
      'rate_limit_redis_failures_total',
      () =>
        new Counter({
          name: 'rate_limit_redis_failures_total',
          help: 'Decisions Redis did not answer (reason: error|timeout|breaker-open)',
          labelNames: ['limiter', 'reason'],
          registers,
        }),
      registry,
    ),
    breaker: metricOnce(
      'rate_limit_circuit_open',
      () =>
        new Gauge({
          name: 'rate_limit_circuit_open',
          help: '1 while the rate limiter circuit breaker is open',
          labelNames: ['limiter'],
          registers,
        }),
      registry,
    ),
  };
}

export type RateLimitMetrics = ReturnType<typeof rateLimitMetrics>;
