import type { Registry } from 'prom-client';
import { ActivationObserver, type ActivationObserverOptions } from '../activations/activation-observer.js';
import { ActivationDriftMetrics } from './activation-drift-metrics.js';
import { ActivationMetrics } from './activation-metrics.js';
import { getObserveErrors } from './observe-errors.js';

export type ActivationObservationOptions = Omit<ActivationObserverOptions, 'sink' | 'drift' | 'countError'>;

/**
 * Activation statistics and drift wired to Prometheus: the observer (observe/activations) with
 * its metrics sinks and the shared `layerscope_observe_errors_total` counter. Started, i.e.
 * subscribed; `close()` it on shutdown.
 */
export function startActivationObservation(registry: Registry, options: ActivationObservationOptions): ActivationObserver {
  const errors = getObserveErrors(registry);
  return new ActivationObserver({
    ...options,
    sink: new ActivationMetrics(registry),
    drift: new ActivationDriftMetrics(registry),
    countError: ({ model, version }, component) => errors.inc({ model, version, component }),
  }).start();
}
