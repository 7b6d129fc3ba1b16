import { Gauge, Histogram, type Registry } from 'prom-client';
import { getObserveErrors, type ObserveErrorsCounter } from './observe-errors.js';

/** Per-layer kernel time buckets in seconds: 1 µs … 2.5 s (small models' layers take microseconds). */
export const LAYER_DURATION_BUCKETS = [
  1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** Where one model version's per-layer figures go (observe/layers/model-profiler.ts writes them). */
export interface LayerSeries {
  /** Creates every series the model will use (histograms at 0), so they exist before traffic. */
  declare(labels: readonly string[]): void;
  /** One sampled forward pass: the layer's summed kernel time. */
  observe(layer: string, seconds: number): void;
  /** The layer's share of the latest window's kernel time. */
  share(layer: string, share: number): void;
  /** Counts a profiler failure in layerscope_observe_errors_total{component="profiler"}. */
  error(): void;
  /** The model version is gone: drops its duration and share series (errors stay counted). */
  clear(): void;
}

const DURATION = 'layerscope_layer_duration_seconds';
const SHARE = 'layerscope_layer_duration_share';
const HELP_DURATION =
  'Per sampled forward pass of the profiling session: kernel time of the layer (module path at observe.depth; layer="(other)" is every unobserved layer and unattributed kernel, so the layers of a model sum to its kernel time).';
const HELP_SHARE = "The layer's share of the kernel time of the latest profile window's sampled forward passes (0..1).";

/**
 * `layerscope_layer_duration_seconds{model,version,layer}` (histogram) and
 * `layerscope_layer_duration_share{model,version,layer}` (gauge), and the profiler's
 * `layerscope_observe_errors_total{component="profiler"}`. Label cardinality: the observed layers
 * of each model (at most observe.max_layers) plus "(other)".
 */
export class LayerMetrics {
  readonly #duration: Histogram<'model' | 'version' | 'layer'>;
  readonly #share: Gauge<'model' | 'version' | 'layer'>;
  readonly #errors: ObserveErrorsCounter;

  /** Several instances over one registry share its metrics (they are registered once). */
  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['model', 'version', 'layer'] as const;
    this.#duration =
      (registry.getSingleMetric(DURATION) as Histogram<'model' | 'version' | 'layer'> | undefined) ??
      new Histogram({ name: DURATION, help: HELP_DURATION, labelNames, buckets: LAYER_DURATION_BUCKETS, registers });
    this.#share =
      (registry.getSingleMetric(SHARE) as Gauge<'model' | 'version' | 'layer'> | undefined) ??
      new Gauge({ name: SHARE, help: HELP_SHARE, labelNames, registers });
    this.#errors = getObserveErrors(registry);
  }

  /** The series of one model version. */
  forModel(model: string, version: string): LayerSeries {
    const declared = new Set<string>();
    const labels = (layer: string) => ({ model, version, layer });
    return {
      declare: (layers) => {
        this.#errors.inc({ model, version, component: 'profiler' }, 0);
        for (const layer of layers) {
          declared.add(layer);
          this.#duration.zero(labels(layer));
        }
      },
      observe: (layer, seconds) => this.#duration.observe(labels(layer), seconds),
      share: (layer, share) => this.#share.set(labels(layer), share),
      error: () => this.#errors.inc({ model, version, component: 'profiler' }),
      clear: () => {
        for (const layer of declared) {
          this.#duration.remove(labels(layer));
          this.#share.remove(labels(layer));
        }
        declared.clear();
      },
    };
  }
}
