import type { Registry } from 'prom-client';
import { ActivationObserver, type ActivationObserverOptions } from '../activations/activation-observer.js';
import { LatestStats } from '../activations/latest-stats.js';
import { ActivationDriftMetrics } from './activation-drift-metrics.js';
import { ActivationMetrics } from './activation-metrics.js';
import { getObserveErrors } from './observe-errors.js';

export type ActivationObservationOptions = Omit<ActivationObserverOptions, 'sink' | 'drift' | 'countError'>;

/**
 * Activation statistics and drift wired to Prometheus: the observer (observe/activations) with
 * its metrics sinks and the shared `layerscope_observe_errors_total` counter. Started, i.e.
 * subscribed; `close()` it on shutdown.
 */
export function startActivationObservation(registry: Registry, options: ActivationObservationOptions): { observer: ActivationObserver; latest: LatestStats } {
  const errors = getObserveErrors(registry);
  const latest = new LatestStats(new ActivationMetrics(registry), new ActivationDriftMetrics(registry));
  const observer = new ActivationObserver({
    ...options,
    sink: latest,
    drift: latest.drift,
    countError: ({ model, version }, component) => errors.inc({ model, version, component }),
  }).start();
  return { observer, latest };
}
