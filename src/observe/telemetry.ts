import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/server-config.js';
import type { ModelRepository } from '../repository/model-repository.js';
import type { RunnerFactory } from '../runtime/runner.js';
import type { Logger } from '../types/logger.js';
import { layerReport } from './layer-report.js';
import { createLayerObserver, NOOP_LAYER_OBSERVER, type LayerObserver } from './layers/layer-observer.js';
import { startActivationObservation } from './metrics/activation-observation.js';
import { MemoryMetrics } from './metrics/memory-metrics.js';
import { buildMetricsApp } from './metrics/metrics-server.js';
import { createMetricsRegistry } from './metrics/registry.js';
import { ServingMetrics } from './metrics/serving-metrics.js';

export interface TelemetryOptions {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly repository: ModelRepository;
  /** Starts the observers' own runners (activations); without it, activations are not observed. */
  readonly runnerFactory?: RunnerFactory;
}

/** Every metrics consumer of the core's events, plus the metrics listener. */
export interface Telemetry {
  /** The Prometheus listener (port 8002); absent when metrics are disabled. */
  readonly metricsApp?: FastifyInstance;
  /** Per-layer latency per model (a no-op when metrics are disabled). */
  readonly layers: LayerObserver;
  /** Layers of a model version with their latest latency, activation and drift figures. */
  layerReport(model: string, version: string): object;
  stop(): Promise<void>;
}

/**
 * Build the observability side: our registry, the serving and memory metrics, and the metrics
 * listener. Everything subscribes before any model loads so load events are seen. With metrics
 * disabled nothing subscribes and the core's publishing costs nothing.
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  const { config, logger } = options;
  if (!config.metrics.enabled) {
    return { layers: NOOP_LAYER_OBSERVER, layerReport: (m, v) => layerReport(m, v, undefined, undefined), stop: async () => {} };
  }
  const log = logger.child({ component: 'observe' });
  const onError = (err: unknown): void => log.warn({ err }, 'telemetry error');
  const registry = createMetricsRegistry();
  const stoppers: (() => void)[] = [];
  const serving = new ServingMetrics(registry).start();
  stoppers.push(() => serving.stop());
  const memory = new MemoryMetrics(registry, { onError }).start();
  stoppers.push(() => memory.stop());
  const { repository, runnerFactory } = options;
  const activations = runnerFactory
    ? startActivationObservation(registry, { repository, runnerFactory, logger: logger.child({ component: 'activations' }) })
    : undefined;
  const layers = runnerFactory
    ? createLayerObserver({
        registry,
        repository,
        runnerFactory,
        logger: logger.child({ component: 'layers' }),
        window: { ms: config.observe.profileWindowMs, samples: config.observe.profileWindowSamples },
        cpuBudget: config.observe.profileCpuBudget,
      }).start()
    : NOOP_LAYER_OBSERVER;
  const metricsApp = buildMetricsApp(registry);
  return {
    metricsApp,
    layers,
    layerReport: (model, version) => layerReport(model, version, layers.snapshot(model, version), activations?.latest.get(model, version)),
    async stop() {
      await layers.stop();
      await activations?.observer.close();
      await metricsApp.close();
      for (const stop of stoppers.splice(0)) stop();
    },
  };
}
