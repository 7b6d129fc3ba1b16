import type { FloatData } from '../activations/layer-summary.js';
import { BASELINE_FORMAT, buildLayerBaseline, runtimeEdges, type Baseline, type LayerBaseline } from './baseline.js';
import { DriftWindow } from './drift-window.js';
import { psi } from './psi.js';
import { binIndex } from './quantile-bins.js';
import { seededRandom, stridedSample, ValueReservoir } from './sampling.js';

/** The live window spans at least this many sampled rows: a row contributes ≤ window/200 values. */
export const MIN_WINDOW_ROWS = 200;
/** Values per row and layer kept while a baseline is learned from live traffic. */
export const LEARN_VALUES_PER_ROW = 256;
/** Values per layer a learned baseline is built from (a uniform sample beyond that). */
export const LEARN_CAPACITY = 32_768;

export interface DriftTrackerOptions {
  readonly model: string;
  readonly version: string;
  /** Observed layers in the order their data is passed to observe(). */
  readonly layers: readonly { readonly name: string; readonly tensor: string }[];
  /** The stored baseline; null: learn one from the first `baselineBatches` sampled batches. */
  readonly baseline: Baseline | null;
  /** `observe.drift_window`: live values per layer compared with the baseline. */
  readonly window: number;
  readonly baselineBatches: number;
  /** Subsampling randomness (tests seed it). */
  readonly random?: () => number;
}

export interface DriftScores {
  /** PSI per layer whose window is full. */
  readonly layers: ReadonlyMap<string, number>;
  /** Maximum over those layers (the model's drift score). */
  readonly max: number;
}

export interface DriftUpdate {
  /** Set once, on the batch that completed a learned baseline. */
  readonly learned?: Baseline;
  /** Set when at least one layer's window is full. */
  readonly scores?: DriftScores;
}

interface Tracked {
  readonly name: string;
  readonly edges: Float64Array;
  readonly shares: Float64Array;
  readonly window: DriftWindow;
}

/**
 * Drift of one model version's layers: each sampled batch adds ≤ `perRow` values per row and
 * layer (a systematic sample: see sampling.ts) to that layer's window; once the window holds
 * `drift_window` values its PSI against the baseline is reported (psi.ts). Spreading the window
 * over ≥ 200 rows matters: values within a row are strongly correlated, so a window of a few rows
 * would report sampling noise as drift.
 */
export class DriftTracker {
  readonly #options: DriftTrackerOptions;
  readonly #random: () => number;
  readonly #perRow: number;
  #tracked: (Tracked | null)[] = [];
  #learning: ValueReservoir[] | null = null;
  #learnedBatches = 0;
  #learnedRows = 0;
  /** Observed layers the stored baseline has nothing for. */
  readonly missing: readonly string[];

  constructor(options: DriftTrackerOptions) {
    this.#options = options;
    this.#random = options.random ?? seededRandom(0x5eed);
    this.#perRow = Math.max(1, Math.ceil(options.window / MIN_WINDOW_ROWS));
    if (options.baseline === null) {
      this.#learning = options.layers.map(() => new ValueReservoir(LEARN_CAPACITY, this.#random));
      this.missing = [];
    } else {
      const layers = options.baseline.layers;
      this.#tracked = options.layers.map((l) => {
        const stored = Object.hasOwn(layers, l.name) ? layers[l.name] : undefined;
        return stored ? this.#track(l.name, stored) : null;
      });
      this.missing = options.layers.filter((_, i) => this.#tracked[i] === null).map((l) => l.name);
    }
  }

  get learning(): boolean {
    return this.#learning !== null;
  }

  /** One sampled batch: each layer's data in layer order (null: not float), and its row count. */
  observe(data: readonly (FloatData | null)[], rows: number): DriftUpdate {
    if (this.#learning !== null) return this.#learn(this.#learning, data, rows);
    const scores = new Map<string, number>();
    let max = 0;
    const count = this.#perRow * Math.max(1, rows);
    for (let i = 0; i < this.#tracked.length; i++) {
      const tracked = this.#tracked[i];
      const values = data[i];
      if (!tracked || !values) continue;
      const { edges, window } = tracked;
      stridedSample(values, count, this.#random, (v) => {
        const bin = binIndex(edges, v);
        if (bin >= 0) window.push(bin);
      });
      if (!window.full) continue;
      const score = psi(tracked.shares, window.counts);
      scores.set(tracked.name, score);
      if (score > max) max = score;
    }
    return scores.size > 0 ? { scores: { layers: scores, max } } : {};
  }

  #track(name: string, stored: LayerBaseline): Tracked {
    const edges = runtimeEdges(stored.edges);
    // Edges that collapse as float32 would misalign the shares: such a baseline is not from us.
    if (edges.length !== stored.edges.length) throw new Error(`baseline of layer '${name}' has edges that are equal as float32`);
    return { name, edges, shares: Float64Array.from(stored.shares), window: new DriftWindow(edges.length + 1, this.#options.window) };
  }

  #learn(reservoirs: ValueReservoir[], data: readonly (FloatData | null)[], rows: number): DriftUpdate {
    const count = LEARN_VALUES_PER_ROW * Math.max(1, rows);
    reservoirs.forEach((reservoir, i) => {
      const values = data[i];
      if (values) stridedSample(values, count, this.#random, (v) => reservoir.add(v));
    });
    this.#learnedRows += rows;
    if (++this.#learnedBatches < this.#options.baselineBatches) return {};
    const { model, version } = this.#options;
    const layers: Record<string, LayerBaseline> = {};
    this.#options.layers.forEach((l, i) => {
      const reservoir = reservoirs[i];
      if (reservoir && reservoir.seen > 0) layers[l.name] = buildLayerBaseline(l.tensor, reservoir);
    });
    const learned: Baseline = {
      format: BASELINE_FORMAT,
      model,
      version,
      source: `live traffic: first ${this.#learnedBatches} sampled batches`,
      rows: this.#learnedRows,
      layers,
    };
    this.#learning = null;
    this.#tracked = this.#options.layers.map((l) => (Object.hasOwn(layers, l.name) ? this.#track(l.name, layers[l.name]!) : null));
    return { learned };
  }
}
