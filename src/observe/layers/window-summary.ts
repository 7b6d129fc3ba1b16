/**
 * Per-layer figures of one profile window: each sampled forward pass broken down by layer (the
 * layer's summed kernel time), and the window's totals and shares. Pure: the profiler feeds it
 * the runtime's ProfileTrace runs.
 */
import type { ProfiledRun } from '../../runtime/runner.js';
import { UNATTRIBUTED_LAYER, type LayerPlan } from './layer-plan.js';

/** Kernels that prepare the *next* kernel's input (layout conversion in front of NCHWc ops). */
const LOOKS_AHEAD: ReadonlySet<string> = new Set(['ReorderInput']);

/** One forward pass: µs per layer (every layer that ran a kernel, UNATTRIBUTED_LAYER included). */
export interface RunBreakdown {
  readonly layers: ReadonlyMap<string, number>;
  /** Sum of the run's kernel times (µs): the sum over `layers`. */
  readonly kernelUs: number;
  /** The executor's time for the forward pass (µs), 0 when the profile has none. */
  readonly executeUs: number;
  /** The whole session.run as the profiler saw it (µs). */
  readonly runUs: number;
}

/**
 * Attributes each kernel of a run to a layer (LayerPlan.layerOf). Kernels onnxruntime generated,
 * with no link to the graph (`BiasGelu_token_1`, `ReorderOutput`), take the layer of the kernel
 * that ran just before them: with the sequential executor that kernel produced their input, so a
 * fused kernel lands with its first node (DESIGN.md §5). `ReorderInput` takes the next kernel's
 * layer instead (it exists for that kernel). Only a run with no attributable kernel at all keeps
 * UNATTRIBUTED_LAYER.
 */
export function attributeRun(plan: LayerPlan, run: ProfiledRun): RunBreakdown {
  const assigned = run.nodes.map((node) => plan.layerOf(node.name, node.opType));
  let previous: string | undefined;
  for (let i = 0; i < assigned.length; i++) {
    if (assigned[i] !== UNATTRIBUTED_LAYER) previous = assigned[i];
    else if (previous !== undefined && !LOOKS_AHEAD.has(run.nodes[i]?.opType ?? '')) assigned[i] = previous;
  }
  let next: string | undefined;
  for (let i = assigned.length - 1; i >= 0; i--) {
    if (assigned[i] !== UNATTRIBUTED_LAYER) next = assigned[i];
    else if (next !== undefined) assigned[i] = next;
  }
  const layers = new Map<string, number>();
  let kernelUs = 0;
  run.nodes.forEach((node, i) => {
    const layer = assigned[i] ?? UNATTRIBUTED_LAYER;
    layers.set(layer, (layers.get(layer) ?? 0) + node.durationUs);
    kernelUs += node.durationUs;
  });
  return { layers, kernelUs, executeUs: run.executeUs, runUs: run.runUs };
}

export interface WindowSummary {
  readonly runs: readonly RunBreakdown[];
  /** Mean µs per forward pass, per layer (as in RunBreakdown.layers). */
  readonly meanUs: ReadonlyMap<string, number>;
  /** Share of the window's kernel time per layer; sums to 1 when anything ran. */
  readonly shares: ReadonlyMap<string, number>;
  /** Mean kernel time per forward pass (µs). */
  readonly kernelUs: number;
  /** Mean executor time per forward pass (µs). */
  readonly executeUs: number;
  /**
   * Median over the runs of kernel time ÷ executor time: how much of the forward pass the layer
   * figures explain (the rest is the executor's own work between kernels, profiler included).
   * Null when no run has an executor time.
   */
  readonly coverage: number | null;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Summarizes a window's runs (none: every figure is 0, coverage null). */
export function summarizeWindow(plan: LayerPlan, runs: readonly ProfiledRun[]): WindowSummary {
  const breakdowns = runs.map((run) => attributeRun(plan, run));
  const totals = new Map<string, number>();
  let kernel = 0;
  let execute = 0;
  for (const b of breakdowns) {
    for (const [layer, us] of b.layers) totals.set(layer, (totals.get(layer) ?? 0) + us);
    kernel += b.kernelUs;
    execute += b.executeUs;
  }
  const n = Math.max(1, breakdowns.length);
  const meanUs = new Map([...totals].map(([layer, us]) => [layer, us / n]));
  const shares = new Map([...totals].map(([layer, us]) => [layer, kernel > 0 ? us / kernel : 0]));
  const coverage = median(breakdowns.filter((b) => b.executeUs > 0).map((b) => b.kernelUs / b.executeUs));
  return { runs: breakdowns, meanUs, shares, kernelUs: kernel / n, executeUs: execute / n, coverage };
}
