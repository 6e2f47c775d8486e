import { register, type Registry } from 'prom-client';

/**
 * The metric named `name` in `registry`, created by `create` the first time. prom-client throws when a
 * name is registered twice, and several instances of one lib (two caches, two limiters) share a
 * registry in one process, so every lib gets or creates its series through this.
 */
export function metricOnce<T>(name: string, create: () => T, registry: Registry = register): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
