import { Counter, Gauge, type Registry } from 'prom-client';
import { ACTIVATION_BUCKETS } from '../activations/activation-buckets.js';
import type { ActivationSink, LayerObservation, ModelLabels } from '../activations/activation-sink.js';
import type { ObservedLayer } from '../activations/instrumented-runner.js';
import { ActivationHistogram } from './activation-histogram.js';

type LayerLabel = 'model' | 'version' | 'layer';
const LAYER_LABELS = ['model', 'version', 'layer'] as const;
const NONFINITE_KINDS = ['nan', 'inf'] as const;

/**
 * The activation metrics of DESIGN.md §5 (names are a contract, docs/metrics.md lists them), per
 * observed layer of each model version; the cardinality is bounded by `observe.max_layers`.
 * Gauges cover the last 16 sampled batches (observe/activations/summary-window.ts).
 */
export class ActivationMetrics implements ActivationSink {
  readonly #histogram: ActivationHistogram;
  readonly #mean: Gauge<LayerLabel>;
  readonly #stddev: Gauge<LayerLabel>;
  readonly #min: Gauge<LayerLabel>;
  readonly #max: Gauge<LayerLabel>;
  readonly #zeroFraction: Gauge<LayerLabel>;
  readonly #bytes: Gauge<LayerLabel>;
  readonly #nonfinite: Counter<LayerLabel | 'kind'>;
  readonly #peak: Gauge<'model' | 'version'>;
  /** Layers with series, per model version (`model\0version`), so removal is exact. */
  readonly #layers = new Map<string, Set<string>>();

  constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = LAYER_LABELS;
    this.#histogram = new ActivationHistogram({
      name: 'layerscope_layer_activation',
      help: 'Values of the observed layer outputs in sampled batches, every element counted; symmetric log buckets ±1e-3…1e3 (1 and 3 per decade) and 0.',
      labelNames,
      buckets: ACTIVATION_BUCKETS,
      registers,
    });
    const gauge = (name: string, help: string): Gauge<LayerLabel> => new Gauge({ name, help, labelNames, registers });
    this.#mean = gauge('layerscope_layer_activation_mean', 'Mean of the finite layer output values over the last 16 sampled batches.');
    this.#stddev = gauge('layerscope_layer_activation_stddev', 'Standard deviation of the finite layer output values over the last 16 sampled batches.');
    this.#min = gauge('layerscope_layer_activation_min', 'Smallest finite layer output value in the last 16 sampled batches.');
    this.#max = gauge('layerscope_layer_activation_max', 'Largest finite layer output value in the last 16 sampled batches.');
    this.#zeroFraction = gauge('layerscope_layer_zero_fraction', 'Share of exact zeros among the layer output values over the last 16 sampled batches (dead ReLUs).');
    this.#bytes = gauge('layerscope_layer_activation_bytes', 'Bytes of the layer output per input row.');
    this.#nonfinite = new Counter({
      name: 'layerscope_layer_nonfinite_total',
      help: 'Non-finite values in the layer output of sampled batches, by kind (nan, inf: either sign).',
      labelNames: [...labelNames, 'kind'],
      registers,
    });
    this.#peak = new Gauge({
      name: 'layerscope_activation_peak_bytes',
      help: 'Bytes the observed layer outputs take for the largest batch seen: sum of bytes per row over the observed layers times the most rows of any batch.',
      labelNames: ['model', 'version'],
      registers,
    });
  }

  layersReady(model: ModelLabels, layers: readonly ObservedLayer[]): void {
    this.#known(model, layers.map((l) => l.name));
    for (const { name } of layers) {
      const labels = { model: model.model, version: model.version, layer: name };
      this.#histogram.zero(labels);
      for (const kind of NONFINITE_KINDS) this.#nonfinite.inc({ ...labels, kind }, 0);
    }
  }

  observed(model: ModelLabels, layers: readonly LayerObservation[]): void {
    this.#known(model, layers.map((l) => l.layer));
    for (const { layer, batch, window, bytesPerRow } of layers) {
      const labels = { model: model.model, version: model.version, layer };
      this.#histogram.add(labels, batch.buckets, batch.sum);
      if (batch.nan > 0) this.#nonfinite.inc({ ...labels, kind: 'nan' }, batch.nan);
      if (batch.inf > 0) this.#nonfinite.inc({ ...labels, kind: 'inf' }, batch.inf);
      this.#bytes.set(labels, bytesPerRow);
      // NaN: no finite value in the window; leave the gauge as it was rather than print NaN.
      if (Number.isNaN(window.mean)) continue;
      this.#mean.set(labels, window.mean);
      this.#stddev.set(labels, window.stddev);
      this.#min.set(labels, window.min);
      this.#max.set(labels, window.max);
      this.#zeroFraction.set(labels, window.zeroFraction);
    }
  }

  peakBytes(model: ModelLabels, bytes: number): void {
    this.#peak.set({ model: model.model, version: model.version }, bytes);
  }

  removed(model: ModelLabels): void {
    const key = `${model.model}\0${model.version}`;
    this.#histogram.removeMatching({ model: model.model, version: model.version });
    for (const layer of this.#layers.get(key) ?? []) {
      const labels = { model: model.model, version: model.version, layer };
      for (const gauge of [this.#mean, this.#stddev, this.#min, this.#max, this.#zeroFraction, this.#bytes]) gauge.remove(labels);
      for (const kind of NONFINITE_KINDS) this.#nonfinite.remove({ ...labels, kind });
    }
    this.#peak.remove({ model: model.model, version: model.version });
    this.#layers.delete(key);
  }

  #known(model: ModelLabels, layers: readonly string[]): void {
    const key = `${model.model}\0${model.version}`;
    let set = this.#layers.get(key);
    if (!set) this.#layers.set(key, (set = new Set()));
    for (const layer of layers) set.add(layer);
  }
}
