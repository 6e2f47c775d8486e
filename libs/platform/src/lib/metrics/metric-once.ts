import { Counter, Gauge, register, type Registry } from 'prom-client';

/**
 * A metric by name, created on first use and returned as it is afterwards: prom-client throws on a
 * second registration, and one process may build a module twice (e2e suites boot the app per test).
 * (The shared libs keep their own copy of this: they may not depend on the platform.)
 */
export function metricOnce<T>(name: string, create: () => T, registry: Registry = register): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export const counterOnce = (
  name: string,
  help: string,
  labelNames: string[] = [],
  registry: Registry = register,
): Counter =>
  metricOnce(name, () => new Counter({ name, help, labelNames, registers: [registry] }), registry);

export const gaugeOnce = (
  name: string,
  help: string,
  labelNames: string[] = [],
  registry: Registry = register,
): Gauge => metricOnce(name, () => new Gauge({ name, help, labelNames, registers: [registry] }), registry);
