import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/** What an operator compares across instances: a few sums read from the instance's own metrics. */
export interface InstanceFigures {
  cache: {
    hits: number;
    misses: number;
    /** hits / (hits + misses), null before any read */ hitRatio: number | null;
  };
  /** Cache invalidation bus messages. */
  bus: { published: number; received: number };
  /** Redis Streams: commands and events handled, written, and moved to a dead-letter stream. */
  streams: { handled: number; sent: number; deadLetters: number; reclaimed: number };
  rateLimit: { allowed: number; rejected: number };
  http: { requests: number };
}

type Values = MetricValue<string>[];

/**
 * Sums the counters behind `InstanceFigures` from a prom-client registry. Missing metrics count 0 (a
 * service without a cache or rate limiter has none). L1 and L2 hits both count as hits; a miss counts
 * once, at the last tier (an L1 miss that L2 answered is a hit).
 */
export async function instanceFigures(registry: Registry): Promise<InstanceFigures> {
  const metrics = (await registry.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
  const values = (name: string): Values => metrics.find((m) => m.name === name)?.values ?? [];
  const sum = (
    name: string,
    where: (labels: Partial<Record<string, string | number>>) => boolean = () => true,
  ) =>
    values(name)
      .filter((v) => where(v.labels ?? {}))
      .reduce((total, v) => total + v.value, 0);

  const hits = sum('cache_hits_total');
  const misses = sum('cache_misses_total', (l) => l['tier'] === 'l2');
  return {
    cache: { hits, misses, hitRatio: hits + misses === 0 ? null : round(hits / (hits + misses)) },
    bus: {
      published: sum('cache_bus_messages_total', (l) => l['direction'] === 'out'),
      received: sum('cache_bus_messages_total', (l) => l['direction'] === 'in'),
    },
    streams: {
      handled: sum('messaging_handled_total', (l) => l['outcome'] === 'ack'),
      sent: sum('messaging_sent_total', (l) => l['outcome'] === 'ok'),
      deadLetters: sum('messaging_handled_total', (l) => l['outcome'] === 'dead_letter'),
      reclaimed: sum('messaging_reclaimed_total'),
    },
    rateLimit: {
      allowed: sum('rate_limit_decisions_total', (l) => l['outcome'] === 'allowed'),
      rejected: sum('rate_limit_decisions_total', (l) => l['outcome'] === 'denied'),
    },
    http: { requests: histogramCount(values('http_request_duration_seconds')) },
  };
}

/** A histogram's observations: the sum of its `_count` series. */
const histogramCount = (values: Values) =>
  values
    .filter((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))
    .reduce((t, v) => t + v.value, 0);

const round = (x: number) => Math.round(x * 10_000) / 10_000;
