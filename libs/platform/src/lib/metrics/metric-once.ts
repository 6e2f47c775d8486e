import { metricOnce } from '@shop/util';
import { Counter, Gauge, register, type Registry } from 'prom-client';

/** Get-or-create by name (`@shop/util`): one process may build a module twice (e2e suites boot per test). */
export { metricOnce };

/** A counter by name, created on first use (`metricOnce`). */
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
