import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Our own prom-client registry (never the global one), with the process and Node.js metrics:
 * RSS, heap, event-loop lag, GC durations, handles, CPU.
 */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
    // prom-client names three gauges `..._total`, which `promtool check metrics` rejects (a
    // gauge must not look like a counter); the per-type `nodejs_active_handles{type}` etc. stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      registry.removeSingleMetric(name);
    }
  }
  return registry;
}
