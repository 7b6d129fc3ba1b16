import { Counter, type Registry } from 'prom-client';

/** The observers that count their failures here (label `component`, a fixed set). */
export type ObserveComponent = 'profiler' | 'activations' | 'drift';

export type ObserveErrorsCounter = Counter<'model' | 'version' | 'component'>;

export const OBSERVE_ERRORS_METRIC = 'layerscope_observe_errors_total';

/**
 * `layerscope_observe_errors_total{model,version,component}`: failures of the observation side
 * (profiling, activation capture, drift), which are logged and counted, never returned to clients
 * (DESIGN.md §5). Shared by every observer: the first call registers the counter in `registry`,
 * later calls return the same one, so observers need not know who came first.
 */
export function getObserveErrors(registry: Registry): ObserveErrorsCounter {
  const existing = registry.getSingleMetric(OBSERVE_ERRORS_METRIC);
  if (existing !== undefined) return existing as ObserveErrorsCounter;
  return new Counter({
    name: OBSERVE_ERRORS_METRIC,
    help: 'Failures while observing a model (component: profiler, activations, drift); logged, never returned to clients.',
    labelNames: ['model', 'version', 'component'],
    registers: [registry],
  });
}
