import type { ObservedLayer } from './instrumented-runner.js';
import type { LayerBatchSummary } from './layer-summary.js';
import type { WindowStats } from './summary-window.js';

/** Metric labels of a model version. */
export interface ModelLabels {
  readonly model: string;
  readonly version: string;
}

/** One layer's part of a sampled batch. */
export interface LayerObservation {
  readonly layer: string;
  /** This batch alone: histogram buckets, non-finite counts. */
  readonly batch: LayerBatchSummary;
  /** The gauges over the last sampled batches (summary-window.ts). */
  readonly window: WindowStats;
  /** Bytes of the layer's output per row. */
  readonly bytesPerRow: number;
}

/**
 * Where activation summaries go (observe/metrics implements it with prom-client). Called on the
 * main thread; implementations must not throw and must stay cheap.
 */
export interface ActivationSink {
  /** A model version's observed layers are known: pre-create its series. */
  layersReady(model: ModelLabels, layers: readonly ObservedLayer[]): void;
  /** One sampled batch, every observed layer. */
  observed(model: ModelLabels, layers: readonly LayerObservation[]): void;
  /** Peak activation bytes per batch (activation-observer.ts says how it is computed). */
  peakBytes(model: ModelLabels, bytes: number): void;
  /** The model version is gone: drop its series. */
  removed(model: ModelLabels): void;
}

/** Where drift scores go. */
export interface DriftSink {
  /** PSI of each layer whose window is full, and their maximum. */
  scores(model: ModelLabels, layers: ReadonlyMap<string, number>, max: number): void;
  removed(model: ModelLabels): void;
}

/** Observability failures are counted by component, never thrown (DESIGN.md §5). */
export type ObserveComponent = 'activations' | 'drift';
export type ObserveErrorCounter = (model: ModelLabels, component: ObserveComponent) => void;
