import { Counter, Gauge, type Registry } from 'prom-client';

/** Longest a scrape waits on Redis for the gauges; after it they report their last known values. */
export const SCRAPE_TIMEOUT_MS = 250;

interface MeasuredQueue {
  refreshMetrics(): Promise<void>;
}

// Several queues may share one registry (and so one gauge); the gauge's collect refreshes all of them.
const queuesByGauge = new WeakMap<Gauge, Set<MeasuredQueue>>();

/** The registry's gauge `name` (created on first use), refreshed from every queue registered with it. */
export function queueGauge(registry: Registry, name: string, help: string, queue: MeasuredQueue): Gauge {
  let gauge = registry.getSingleMetric(name) as Gauge | undefined;
  if (!gauge) {
    const queues = new Set<MeasuredQueue>();
    gauge = new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      // On scrape, measure in Redis: the value must be right while no consumer runs (then nothing else
      // updates it). Each refresh is bounded, so a Redis outage never stalls `/metrics`.
      async collect() {
        await Promise.all([...queues].map((q) => q.refreshMetrics()));
      },
    });
    queuesByGauge.set(gauge, queues);
  }
  queuesByGauge.get(gauge)?.add(queue);
  return gauge;
}

/** `cache_write_behind_dead_letters_total{queue}`, shared by the queues of one registry. */
export function deadLetterCounter(registry: Registry): Counter {
  const name = 'cache_write_behind_dead_letters_total';
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({
      name,
      help: 'Keys moved to the write-behind dead-letter stream after failing maxDeliveries times',
      labelNames: ['queue'],
      registers: [registry],
    })
  );
}
