import { ELEMENT_SIZE } from '../../types/datatype.js';
import type { Tensor } from '../../types/tensor.js';
import type { Baseline } from '../drift/baseline.js';
import type { DriftTracker } from '../drift/drift-tracker.js';
import type { BatchStartEvent } from '../events.js';
import type { Sampler } from '../sampler.js';
import type { ActivationSink, DriftSink, LayerObservation, ModelLabels, ObserveComponent } from './activation-sink.js';
import { floatView } from './float-view.js';
import type { InstrumentedRunner } from './instrumented-runner.js';
import { summarizeLayer, type FloatData } from './layer-summary.js';
import { copyLeadingRows } from '../sample-rows.js';
import { SummaryWindow } from './summary-window.js';

/** Rows copied from a sampled batch, at most. */
export const MAX_SAMPLED_ROWS = 16;
/**
 * Layer values summarised per sampled batch, at most (≈ 2–4 ms of main-thread work at ≈ 10 ns a
 * value): wide models get fewer rows per sample, and when even one row holds more, each layer is
 * summarised from an even subsample of its values. The first sample copies one row to learn the
 * widths.
 */
export const ELEMENT_BUDGET = 1 << 18;
/** Values summarised between two yields to the event loop. */
const CHUNK = 1 << 15;

export interface ModelObservationOptions {
  readonly labels: ModelLabels;
  readonly runner: InstrumentedRunner;
  /** Whether dim 0 of the inputs is the batch dimension (max_batch_size > 0). */
  readonly batched: boolean;
  readonly sampler: Sampler;
  readonly sink: ActivationSink;
  readonly drift: { readonly tracker: DriftTracker; readonly sink: DriftSink } | null;
  readonly onError: (component: ObserveComponent, err: unknown) => void;
  /** A baseline was learned from the first sampled batches (no baseline.json). */
  readonly onBaselineLearned?: (baseline: Baseline) => void;
}

function tensorBytes(tensor: Tensor): number {
  const { data } = tensor;
  return Array.isArray(data) ? 0 : data.length * (ELEMENT_SIZE[tensor.datatype] || data.BYTES_PER_ELEMENT);
}

/**
 * The observation of one model version: decides per batch whether to sample it (rate-bounded, and
 * never while its previous sample is still running), copies ≤ 16 rows, runs them through the
 * instrumented copy off the response path, and summarises what comes back.
 *
 * Main-thread cost per sampled batch: the row copy (≤ 16 rows of the inputs), one postMessage
 * each way (outputs are transferred, not copied), then one pass over the returned activations
 * (rows × Σ layer widths, at most ELEMENT_BUDGET values) plus ≤ drift_window/200 values per row
 * and layer for drift. Batches that are not sampled cost a token-bucket check.
 */
export class ModelObservation {
  readonly #o: ModelObservationOptions;
  readonly #windows: SummaryWindow[];
  #busy = false;
  #closed = false;
  #inFlight: Promise<void> = Promise.resolve();
  /** Largest batch seen (all batches, not only sampled ones). */
  #maxRows = 0;
  /** Bytes per row of all observed layers together, once known. */
  #rowBytes = 0;
  #rowCap = 1;

  constructor(options: ModelObservationOptions) {
    this.#o = options;
    this.#windows = options.runner.layers.map(() => new SummaryWindow());
  }

  /** Called synchronously from the batch-start event: cheap unless the batch is sampled. */
  offer(event: BatchStartEvent): void {
    if (event.rows > this.#maxRows) {
      this.#maxRows = event.rows;
      if (this.#rowBytes > 0) this.#o.sink.peakBytes(this.#o.labels, this.#rowBytes * this.#maxRows);
    }
    if (this.#busy || this.#closed || !this.#o.sampler.shouldSample()) return;
    const { batched } = this.#o;
    const rows = batched ? Math.min(event.rows, this.#rowCap) : 1;
    let inputs: Tensor[];
    try {
      inputs = copyLeadingRows(event.inputs, rows, batched);
    } catch (err) {
      this.#o.onError('activations', err);
      return;
    }
    this.#busy = true;
    this.#inFlight = this.#o.runner
      .run(inputs)
      .then((outputs) => this.#consume(outputs, rows))
      // A failed run or a failing summary/sink: counted, never an unhandled rejection.
      .catch((err: unknown) => this.#o.onError('activations', err))
      .finally(() => {
        this.#busy = false;
      });
  }

  /** Stops sampling, waits for the sample in flight, closes the instrumented runner. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#inFlight;
    await this.#o.runner.close();
  }

  async #consume(outputs: readonly Tensor[], rows: number): Promise<void> {
    const { layers } = this.#o.runner;
    const observations: LayerObservation[] = [];
    const floats: (FloatData | null)[] = [];
    let rowBytes = 0;
    let rowElements = 0;
    let total = 0;
    for (const tensor of outputs) total += Array.isArray(tensor.data) ? 0 : tensor.data.length;
    const share = Math.min(1, ELEMENT_BUDGET / Math.max(1, total));
    let sinceYield = 0;
    for (const [i, layer] of layers.entries()) {
      if (this.#closed) return;
      const tensor = outputs[i];
      const data = tensor ? floatView(tensor) : null;
      floats.push(data);
      if (!tensor || !data) continue;
      const count = Math.ceil(data.length * share);
      // Let the event loop in between layers: no single stall longer than ~CHUNK values.
      if (sinceYield > 0 && sinceYield + count > CHUNK) {
        await new Promise((resolve) => setImmediate(resolve));
        sinceYield = 0;
      }
      sinceYield += count;
      const batch = summarizeLayer(data, count);
      const bytesPerRow = tensorBytes(tensor) / rows;
      rowBytes += bytesPerRow;
      rowElements += data.length / rows;
      observations.push({ layer: layer.name, batch, window: (this.#windows[i] as SummaryWindow).push(batch), bytesPerRow });
    }
    if (this.#closed) return;
    const { sink, labels, drift } = this.#o;
    sink.observed(labels, observations);
    this.#rowBytes = rowBytes;
    sink.peakBytes(labels, rowBytes * Math.max(this.#maxRows, rows));
    this.#rowCap = Math.max(1, Math.min(MAX_SAMPLED_ROWS, Math.floor(ELEMENT_BUDGET / Math.max(1, rowElements))));
    if (!drift) return;
    try {
      const update = drift.tracker.observe(floats, rows);
      if (update.scores) drift.sink.scores(labels, update.scores.layers, update.scores.max);
      if (update.learned) this.#o.onBaselineLearned?.(update.learned);
    } catch (err) {
      this.#o.onError('drift', err);
    }
  }
}
