import { Gauge, type Registry } from 'prom-client';
import type { DriftSink, ModelLabels } from '../activations/activation-sink.js';

/**
 * Drift gauges (observe/drift): PSI of each observed layer's live window against its baseline,
 * and the model's score, the maximum over its layers. < 0.1 stable, 0.1–0.25 watch, > 0.25 alert
 * (observe/drift/psi.ts). A layer has no series until its window is full.
 */
export class ActivationDriftMetrics implements DriftSink {
  readonly #layer: Gauge<'model' | 'version' | 'layer'>;
  readonly #model: Gauge<'model' | 'version'>;
  readonly #layers = new Map<string, Set<string>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.#layer = new Gauge({
      name: 'layerscope_layer_drift_score',
      help: 'Population stability index of the layer output: last drift_window sampled values vs the baseline (< 0.1 stable, > 0.25 drifted).',
      labelNames: ['model', 'version', 'layer'],
      registers,
    });
    this.#model = new Gauge({
      name: 'layerscope_model_drift_score',
      help: 'Largest layerscope_layer_drift_score over the observed layers of the model version.',
      labelNames: ['model', 'version'],
      registers,
    });
  }

  scores(model: ModelLabels, layers: ReadonlyMap<string, number>, max: number): void {
    const key = `${model.model}\0${model.version}`;
    let known = this.#layers.get(key);
    if (!known) this.#layers.set(key, (known = new Set()));
    for (const [layer, score] of layers) {
      known.add(layer);
      this.#layer.set({ model: model.model, version: model.version, layer }, score);
    }
    this.#model.set({ model: model.model, version: model.version }, max);
  }

  removed(model: ModelLabels): void {
    const key = `${model.model}\0${model.version}`;
    for (const layer of this.#layers.get(key) ?? []) this.#layer.remove({ model: model.model, version: model.version, layer });
    this.#model.remove({ model: model.model, version: model.version });
    this.#layers.delete(key);
  }
}
