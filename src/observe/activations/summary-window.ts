import type { LayerBatchSummary } from './layer-summary.js';

/** Sampled batches the summary gauges cover (mean, stddev, min, max, zero fraction). */
export const SUMMARY_WINDOW_BATCHES = 16;

/** The gauges of one layer over the window. NaN where no finite value was seen. */
export interface WindowStats {
  readonly mean: number;
  /** Population standard deviation of all finite values in the window. */
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
  /** Exact zeros / finite values. */
  readonly zeroFraction: number;
}

interface Part {
  readonly n: number;
  readonly mean: number;
  /** Σ (x − mean)² of the part. */
  readonly m2: number;
  readonly min: number;
  readonly max: number;
  readonly zeros: number;
}

function toPart(s: LayerBatchSummary): Part {
  const n = s.count;
  if (n === 0) return { n: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity, zeros: 0 };
  const d = s.shiftedSum / n;
  return { n, mean: s.shift + d, m2: Math.max(0, s.shiftedSumSq - s.shiftedSum * d), min: s.min, max: s.max, zeros: s.zeros };
}

/**
 * The last SUMMARY_WINDOW_BATCHES sampled batches of one layer. A sliding window rather than an
 * EWMA so every gauge has the same plain meaning ("over the last 16 sampled batches") and a spike
 * in min/max stays visible for 16 samples instead of decaying. Batches are merged with Chan's
 * parallel variance formula, so the stddev includes the spread between batches.
 */
export class SummaryWindow {
  readonly #parts: (Part | undefined)[] = new Array<Part | undefined>(SUMMARY_WINDOW_BATCHES);
  #next = 0;

  /** Adds one batch and returns the stats over the window. */
  push(summary: LayerBatchSummary): WindowStats {
    this.#parts[this.#next] = toPart(summary);
    this.#next = (this.#next + 1) % SUMMARY_WINDOW_BATCHES;
    let n = 0;
    let mean = 0;
    let m2 = 0;
    let min = Infinity;
    let max = -Infinity;
    let zeros = 0;
    for (const part of this.#parts) {
      if (part === undefined || part.n === 0) continue;
      const total = n + part.n;
      const delta = part.mean - mean;
      mean += (delta * part.n) / total;
      m2 += part.m2 + (delta * delta * n * part.n) / total;
      n = total;
      if (part.min < min) min = part.min;
      if (part.max > max) max = part.max;
      zeros += part.zeros;
    }
    if (n === 0) return { mean: NaN, stddev: NaN, min: NaN, max: NaN, zeroFraction: NaN };
    return { mean, stddev: Math.sqrt(m2 / n), min, max, zeroFraction: zeros / n };
  }
}
