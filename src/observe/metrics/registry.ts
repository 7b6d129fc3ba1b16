import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Our own prom-client registry (never the global one), with the process and Node.js metrics:
 * RSS, heap, event-loop lag, GC durations, handles, CPU.
 */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  return registry;
}
