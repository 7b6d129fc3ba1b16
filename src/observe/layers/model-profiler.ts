/**
 * The per-layer latency profiler of one model version (DESIGN.md §5). Sampled batches (≤ maxRows
 * rows, copied synchronously at batch start) run through a separate profiling runner, off the
 * response path. onnxruntime's profile is fixed per session and written when profiling ends, so
 * figures come in windows: a window opens with its first sample and closes `window.ms` later or
 * after `window.samples` samples, whichever comes first; closing it asks the runner for the trace
 * (read, parsed and deleted on the profiling thread, which then starts a fresh session), and
 * publishes per-layer durations and shares. Under traffic figures refresh every `window.ms` at
 * most, plus the rotation (a few ms for the shipped models).
 */
import type { BatchStartEvent } from '../events.js';
import type { LayerSeries } from '../metrics/layer-metrics.js';
import type { Sampler } from '../sampler.js';
import type { ProfileTrace, RunRequest, RunResult } from '../../runtime/runner.js';
import { OTHER_LAYER, UNATTRIBUTED_LAYER, type LayerPlan } from './layer-plan.js';
import { addLayerEvents } from './layer-events.js';
import { copySample, type Sample } from './sample-copy.js';
import { summarizeWindow, type WindowSummary } from './window-summary.js';

/** The slice of a profiling InferenceRunner (RunnerOptions.profiling) the profiler uses. */
export interface ProfilingRunner {
  run(request: RunRequest): Promise<RunResult>;
  endProfile(): Promise<ProfileTrace>;
  close(): Promise<void>;
}

export interface ProfileWindowOptions {
  /** A window closes this long after its first sample. */
  readonly ms: number;
  /** ... or once it holds this many samples. */
  readonly samples: number;
}

export interface ModelProfilerOptions {
  readonly model: string;
  readonly version: string;
  readonly plan: LayerPlan;
  readonly runner: ProfilingRunner;
  /** Outputs each profiled run computes (the model's outputs). */
  readonly outputNames: readonly string[];
  /** Dim 0 of the inputs is the batch dimension (max_batch_size > 0). */
  readonly batched: boolean;
  readonly sampler: Sampler;
  readonly series: LayerSeries;
  readonly window: ProfileWindowOptions;
  /** Rows copied from a sampled batch at most. */
  readonly maxRows: number;
  /**
   * Share of one core the profiling instance may keep busy on average (0 < budget ≤ 1): after a
   * profiled run or a window rotation that took d ms, no batch is sampled for d / budget ms. It
   * bounds the CPU observation takes where sample_rate and max_batches_per_second cannot: a
   * 500 ms model sampled twice a second would otherwise keep a whole core busy.
   */
  readonly cpuBudget: number;
  /** Milliseconds clock (tests inject one). */
  readonly now?: () => number;
  /** A failure, already counted in `series`; log it. */
  readonly onError: (err: unknown, during: string) => void;
}

/** What the latest window measured, for humans (GET /v2/models/{m}/layers). */
export interface ProfileWindowInfo {
  /** 1 for the first window published. */
  readonly index: number;
  readonly endedAt: string;
  /** Sampled forward passes in the window. */
  readonly samples: number;
  /** Mean rows per sampled forward pass. */
  readonly rows: number;
  /** Mean executor time per forward pass (onnxruntime's SequentialExecutor::Execute event). */
  readonly forwardMs: number;
  /** Mean summed kernel time per forward pass: the sum over every layer's lastDurationMs. */
  readonly kernelMs: number;
  /** Median per-run kernel time ÷ forward time: the part of the forward pass the layers explain. */
  readonly coverage: number | null;
}

export interface LayerEntry {
  readonly layer: string;
  /** Exported under its own `layer` label; the others count in "(other)". */
  readonly observed: boolean;
  /** Mean kernel time per sampled forward pass in the latest window; null before the first window. */
  readonly lastDurationMs: number | null;
  /** Share of the latest window's kernel time (0..1); null before the first window. */
  readonly share: number | null;
  /** Graph nodes in the layer. */
  readonly nodes: number;
  readonly opTypes: readonly string[];
}

export interface LayerSnapshot {
  readonly model: string;
  readonly version: string;
  /** Module-path depth that defines the layers. */
  readonly depth: number;
  readonly window: ProfileWindowInfo | null;
  /** Every layer in graph order, then "(unattributed)" if kernels could not be placed. */
  readonly layers: readonly LayerEntry[];
}

const US = 1e-6;

/** One model version's profiler (see the file comment). Build it with a started profiling runner. */
export class ModelProfiler {
  readonly #o: ModelProfilerOptions;
  /** Metric labels: the observed layers, then "(other)". */
  readonly #labels: readonly string[];
  #samples = 0;
  #rows = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #rotating: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #latest: { readonly summary: WindowSummary; readonly info: ProfileWindowInfo } | undefined;
  /** No sample before this time (CPU budget). */
  #nextSampleAt = -Infinity;
  readonly #now: () => number;

  constructor(options: ModelProfilerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#labels = [...options.plan.observed, OTHER_LAYER];
    options.series.declare(this.#labels);
  }

  /**
   * Batch-start hook: maybe samples the batch. Synchronous work is bounded to the sampler's check
   * and copying ≤ maxRows rows; one sample at a time is in flight, others are skipped.
   */
  offer(event: BatchStartEvent): void {
    if (this.#closed || this.#inFlight || this.#rotating || this.#now() < this.#nextSampleAt || !this.#o.sampler.shouldSample()) return;
    let sample: Sample;
    try {
      sample = copySample(event.inputs, this.#o.maxRows, this.#o.batched);
    } catch (err) {
      this.#fail(err, 'copying a sampled batch');
      return;
    }
    this.#samples++;
    this.#rows += sample.rows;
    if (event.traceContext !== undefined) addLayerEvents(event.traceContext, this.snapshot());
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.rotate(), this.#o.window.ms);
      this.#timer.unref();
    }
    const started = this.#now();
    this.#inFlight = this.#o.runner
      .run({ inputs: sample.inputs, outputNames: this.#o.outputNames })
      .finally(() => this.#spent(started))
      .then(
        () => undefined,
        (err: unknown) => this.#fail(err, 'a profiling run'),
      )
      .finally(() => {
        this.#inFlight = undefined;
        if (this.#samples >= this.#o.window.samples) void this.rotate();
      });
  }

  /** Closes the current window now (nothing happens without samples); resolves once published. */
  rotate(): Promise<void> {
    this.#rotating ??= this.#rotate().finally(() => (this.#rotating = undefined));
    return this.#rotating;
  }

  snapshot(): LayerSnapshot {
    const { model, version, plan } = this.#o;
    const latest = this.#latest;
    const ms = (layer: string): number | null => (latest ? (latest.summary.meanUs.get(layer) ?? 0) / 1000 : null);
    const share = (layer: string): number | null => (latest ? (latest.summary.shares.get(layer) ?? 0) : null);
    const layers: LayerEntry[] = plan.layers.map((l) => ({
      layer: l.name,
      observed: l.observed,
      lastDurationMs: ms(l.name),
      share: share(l.name),
      nodes: l.nodes,
      opTypes: l.opTypes,
    }));
    if (latest?.summary.meanUs.has(UNATTRIBUTED_LAYER)) {
      layers.push({ layer: UNATTRIBUTED_LAYER, observed: false, lastDurationMs: ms(UNATTRIBUTED_LAYER), share: share(UNATTRIBUTED_LAYER), nodes: 0, opTypes: [] });
    }
    return { model, version, depth: plan.depth, window: latest?.info ?? null, layers };
  }

  /** Stops sampling, drops the model's series and closes the profiling runner. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#inFlight;
      await this.#rotating;
      this.#o.series.clear();
      await this.#o.runner.close();
    })();
    return this.#closed;
  }

  async #rotate(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
    const samples = this.#samples;
    const rows = this.#rows;
    this.#samples = 0;
    this.#rows = 0;
    if (samples === 0 || this.#closed) return;
    let trace: ProfileTrace;
    const started = this.#now();
    try {
      trace = await this.#o.runner.endProfile();
    } catch (err) {
      this.#fail(err, 'ending a profile window');
      return;
    } finally {
      this.#spent(started); // parsing the trace and a new session cost the instance CPU too
    }
    if (trace.runs.length === 0) return;
    try {
      this.#publish(summarizeWindow(this.#o.plan, trace.runs), rows / samples);
    } catch (err) {
      this.#fail(err, 'publishing a profile window');
    }
  }

  #publish(summary: WindowSummary, rows: number): void {
    const { plan, series } = this.#o;
    for (const run of summary.runs) {
      const byLabel = new Map(this.#labels.map((label) => [label, 0]));
      for (const [layer, us] of run.layers) {
        const label = plan.labelOf(layer);
        byLabel.set(label, (byLabel.get(label) ?? 0) + us);
      }
      for (const [label, us] of byLabel) series.observe(label, us * US);
    }
    const shares = new Map(this.#labels.map((label) => [label, 0]));
    for (const [layer, share] of summary.shares) {
      const label = plan.labelOf(layer);
      shares.set(label, (shares.get(label) ?? 0) + share);
    }
    for (const [label, share] of shares) series.share(label, share);
    this.#latest = {
      summary,
      info: {
        index: (this.#latest?.info.index ?? 0) + 1,
        endedAt: new Date().toISOString(),
        samples: summary.runs.length,
        rows,
        forwardMs: summary.executeUs / 1000,
        kernelMs: summary.kernelUs / 1000,
        coverage: summary.coverage,
      },
    };
  }

  /** Charges the profiling instance's busy time since `started` against the CPU budget. */
  #spent(started: number): void {
    const now = this.#now();
    this.#nextSampleAt = Math.max(this.#nextSampleAt, now + ((now - started) * (1 - this.#o.cpuBudget)) / this.#o.cpuBudget);
  }

  #fail(err: unknown, during: string): void {
    this.#o.series.error();
    this.#o.onError(err, during);
  }
}
