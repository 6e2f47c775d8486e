import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import { collectBuffered, metricOnce } from '@shop/util';

/** The cache's Prometheus series, labelled by cache name (get-or-create: many caches per process). */
export function cacheMetrics(registry: Registry = globalRegistry) {
  const registers = [registry];
  return {
    hits: metricOnce(
      'cache_hits_total',
      () =>
        new Counter({
          name: 'cache_hits_total',
          help: 'Cache hits by tier',
          labelNames: ['cache', 'tier'],
          registers,
          // Per-read and per-message counts go through a CounterBuffer (see @shop/util).
          collect() {
            collectBuffered(this);
          },
        }),
      registry,
    ),
    misses: metricOnce(
      'cache_misses_total',
      () =>
        new Counter({
          name: 'cache_misses_total',
          help: 'Reads that found nothing usable in a tier (l1: went on to Redis; l2: went on to the loader)',
          labelNames: ['cache', 'tier'],
          registers,
          // Per-read and per-message counts go through a CounterBuffer (see @shop/util).
          collect() {
            collectBuffered(this);
          },
        }),
      registry,
    ),
    stale: metricOnce(
      'cache_stale_served_total',
      () =>
        new Counter({
          name: 'cache_stale_served_total',
          help: 'Stale values served within grace because the loader or Redis failed',
          labelNames: ['cache'],
          registers,
        }),
      registry,
    ),
    loader: metricOnce(
      'cache_loader_duration_seconds',
      () =>
        new Histogram({
          name: 'cache_loader_duration_seconds',
          help: 'Loader run time',
          labelNames: ['cache', 'outcome'],
          registers,
          buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
        }),
      registry,
    ),
    bus: metricOnce(
      'cache_bus_messages_total',
      () =>
        new Counter({
          name: 'cache_bus_messages_total',
          help: 'Invalidation bus messages by direction',
          labelNames: ['cache', 'direction'],
          registers,
          // Per-read and per-message counts go through a CounterBuffer (see @shop/util).
          collect() {
            collectBuffered(this);
          },
        }),
      registry,
    ),
    gaps: metricOnce(
      'cache_bus_gaps_total',
      () =>
        new Counter({
          name: 'cache_bus_gaps_total',
          help: 'Sequence gaps or reconnects that expired the whole L1',
          labelNames: ['cache', 'reason'],
          registers,
        }),
      registry,
    ),
    l2Errors: metricOnce(
      'cache_l2_errors_total',
      () =>
        new Counter({
          name: 'cache_l2_errors_total',
          help: 'Failed or skipped L2 calls',
          labelNames: ['cache', 'op'],
          registers,
        }),
      registry,
    ),
    breaker: metricOnce(
      'cache_circuit_open',
      () =>
        new Gauge({
          name: 'cache_circuit_open',
          help: '1 while the L2 circuit breaker is open',
          labelNames: ['cache'],
          registers,
        }),
      registry,
    ),
    refused: metricOnce(
      'cache_entries_refused_total',
      () =>
        new Counter({
          name: 'cache_entries_refused_total',
          help: 'Entries refused for exceeding maxEntryBytes',
          labelNames: ['cache'],
          registers,
        }),
      registry,
    ),
  };
}

export type CacheMetrics = ReturnType<typeof cacheMetrics>;
