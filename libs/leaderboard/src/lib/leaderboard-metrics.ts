import { Counter, register as globalRegistry, type Registry } from 'prom-client';

function counter(registry: Registry, name: string, help: string): Counter<'board'> {
  return (
    (registry.getSingleMetric(name) as Counter<'board'> | undefined) ??
    new Counter({ name, help, labelNames: ['board'], registers: [registry] })
  );
}

/** The board's Prometheus series (get-or-create: every board of a process shares them, labelled by board). */
export function leaderboardMetrics(registry: Registry = globalRegistry) {
  return {
    applied: counter(registry, 'leaderboard_events_applied_total', 'Events applied to a leaderboard'),
    duplicates: counter(
      registry,
      'leaderboard_duplicates_skipped_total',
      'Events skipped because their id was already applied to the leaderboard',
    ),
  };
}

export type LeaderboardMetrics = ReturnType<typeof leaderboardMetrics>;
