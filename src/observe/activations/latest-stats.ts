import type { ObservedLayer } from './instrumented-runner.js';
import type { ActivationSink, DriftSink, LayerObservation, ModelLabels } from './activation-sink.js';
import type { WindowStats } from './summary-window.js';

/** What the latest samples showed for one layer (for humans: GET /v2/models/{m}/layers). */
export interface LatestLayerStats {
  readonly activation?: WindowStats & { readonly bytesPerRow: number; readonly nan: number; readonly inf: number };
  readonly drift?: number;
}

export interface LatestModelStats {
  readonly layers: ReadonlyMap<string, LatestLayerStats>;
  readonly modelDrift?: number;
}

interface Entry {
  readonly layers: Map<string, { activation?: LatestLayerStats['activation']; drift?: number }>;
  modelDrift?: number;
}

const key = (m: ModelLabels): string => `${m.model}\u0000${m.version}`;

/**
 * Keeps the latest activation window and drift score per layer, and forwards everything to the
 * metrics sinks it wraps (a tee): the metrics stay the source for Prometheus, this is for the
 * layers endpoint.
 */
export class LatestStats implements ActivationSink, DriftSink {
  readonly #entries = new Map<string, Entry>();
  readonly #activations: ActivationSink;
  readonly #drift: DriftSink;

  constructor(activations: ActivationSink, drift: DriftSink) {
    this.#activations = activations;
    this.#drift = drift;
  }

  /** Drift sink view of this tee (the observer takes the two sinks separately). */
  get drift(): DriftSink {
    return { scores: (m, layers, max) => this.scores(m, layers, max), removed: (m) => this.#drift.removed(m) };
  }

  get(model: string, version: string): LatestModelStats | undefined {
    const entry = this.#entries.get(key({ model, version }));
    return entry ? { layers: entry.layers, ...(entry.modelDrift !== undefined ? { modelDrift: entry.modelDrift } : {}) } : undefined;
  }

  layersReady(model: ModelLabels, layers: readonly ObservedLayer[]): void {
    this.#entries.set(key(model), { layers: new Map(layers.map((l) => [l.name, {}])) });
    this.#activations.layersReady(model, layers);
  }

  observed(model: ModelLabels, layers: readonly LayerObservation[]): void {
    const entry = this.#entries.get(key(model));
    for (const l of layers) {
      const slot = entry?.layers.get(l.layer);
      if (slot) slot.activation = { ...l.window, bytesPerRow: l.bytesPerRow, nan: (slot.activation?.nan ?? 0) + l.batch.nan, inf: (slot.activation?.inf ?? 0) + l.batch.inf };
    }
    this.#activations.observed(model, layers);
  }

  peakBytes(model: ModelLabels, bytes: number): void {
    this.#activations.peakBytes(model, bytes);
  }

  scores(model: ModelLabels, layers: ReadonlyMap<string, number>, max: number): void {
    const entry = this.#entries.get(key(model));
    if (entry) {
      entry.modelDrift = max;
      for (const [layer, score] of layers) {
        const slot = entry.layers.get(layer);
        if (slot) slot.drift = score;
      }
    }
    this.#drift.scores(model, layers, max);
  }

  removed(model: ModelLabels): void {
    this.#entries.delete(key(model));
    this.#activations.removed(model);
  }
}
