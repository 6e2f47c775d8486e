import { Counter, Gauge, register as globalRegistry, type Registry } from 'prom-client';

function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** The limiter's Prometheus series (get-or-create: several limiters may share a registry). */
export function rateLimitMetrics(registry: Registry = globalRegistry) {
  const registers = [registry];
  return {
    decisions: metric(
      registry,
      'rate_limit_decisions_total',
      () =>
        new Counter({
          name: 'rate_limit_decisions_total',
          help: 'Policy decisions by outcome (allowed|denied|unavailable) and source (redis|local|fail-open|fail-closed)',
          labelNames: ['limiter', 'policy', 'outcome', 'source'],
          registers,
        }),
    ),
    redisFailures: metric(
      registry,
      'rate_limit_redis_failures_total',
      () =>
        new Counter({
          name: 'rate_limit_redis_failures_total',
          help: 'Decisions Redis did not answer (reason: error|timeout|breaker-open)',
          labelNames: ['limiter', 'reason'],
          registers,
        }),
    ),
    breaker: metric(
      registry,
      'rate_limit_circuit_open',
      () =>
        new Gauge({
          name: 'rate_limit_circuit_open',
          help: '1 while the rate limiter circuit breaker is open',
          labelNames: ['limiter'],
          registers,
        }),
    ),
  };
}

export type RateLimitMetrics = ReturnType<typeof rateLimitMetrics>;
