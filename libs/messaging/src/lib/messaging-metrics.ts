import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import { collectBuffered, metricOnce } from '@shop/util';

/**
 * Sources of the in-flight gauge, read when Prometheus scrapes (no update per message). Several
 * consumers of one stream in one process (tests, two servers) add up.
 */
const inFlightSources = new Map<string, Set<() => number>>();

function collectInFlight(this: Gauge): void {
  this.reset();
  for (const [stream, sources] of inFlightSources) {
    let total = 0;
    for (const source of sources) total += source();
    this.set({ stream }, total);
  }
}

/** The transport's Prometheus series, labelled by stream. */
export function messagingMetrics(registry: Registry = globalRegistry) {
  const registers = [registry];
  return {
    /** Registers the in-flight count of one consumer of `stream`; returns the function that removes it. */
    trackInFlight(stream: string, source: () => number): () => void {
      let sources = inFlightSources.get(stream);
      if (!sources) inFlightSources.set(stream, (sources = new Set()));
      sources.add(source);
      return () => {
        sources.delete(source);
        if (sources.size === 0 && inFlightSources.get(stream) === sources) inFlightSources.delete(stream);
      };
    },
    handled: metricOnce(
      'messaging_handled_total',
      () =>
        new Counter({
          name: 'messaging_handled_total',
          help: 'Stream entries handled, by outcome (ack, retry, dead_letter, expired)',
          labelNames: ['stream', 'outcome'],
          registers,
          // Per-message counts go through a CounterBuffer (a child's inc() hashes its labels each call).
          collect() {
            collectBuffered(this);
          },
        }),
      registry,
    ),
    duration: metricOnce(
      'messaging_handler_duration_seconds',
      () =>
        new Histogram({
          name: 'messaging_handler_duration_seconds',
          help: 'Handler run time',
          labelNames: ['stream'],
          registers,
          buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2, 10],
        }),
      registry,
    ),
    reclaimed: metricOnce(
      'messaging_reclaimed_total',
      () =>
        new Counter({
          name: 'messaging_reclaimed_total',
          help: 'Pending entries claimed from idle or failed deliveries',
          labelNames: ['stream'],
          registers,
        }),
      registry,
    ),
    inFlight: metricOnce(
      'messaging_in_flight',
      () =>
        new Gauge({
          name: 'messaging_in_flight',
          help: 'Handlers running now',
          labelNames: ['stream'],
          registers,
          collect: collectInFlight,
        }),
      registry,
    ),
    sent: metricOnce(
      'messaging_sent_total',
      () =>
        new Counter({
          name: 'messaging_sent_total',
          help: 'Commands and events written, by kind and outcome',
          labelNames: ['kind', 'outcome'],
          registers,
          // Per-message counts go through a CounterBuffer (a child's inc() hashes its labels each call).
          collect() {
            collectBuffered(this);
          },
        }),
      registry,
    ),
    replyLatency: metricOnce(
      'messaging_reply_seconds',
      () =>
        new Histogram({
          name: 'messaging_reply_seconds',
          help: 'Command round trip seen by the caller',
          registers,
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
        }),
      registry,
    ),
  };
}

export type MessagingMetrics = ReturnType<typeof messagingMetrics>;
