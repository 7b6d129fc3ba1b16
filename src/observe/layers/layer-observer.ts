/**
 * Per-layer latency for every READY model version whose `observe.enabled` is true: one
 * ModelProfiler each, with its own profiling runner (one worker, one intra-op thread, no spinning,
 * the serving provider, the serving graph optimization level). Follows the repository's model
 * state events (a reload's new version replaces the old profiler) and routes batch-start events
 * to the right profiler. Profiles are written under one temp dir below os.tmpdir(), removed on stop.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { readModelFile } from '../../onnx/graph-reader.js';
import type { LoadedModel } from '../../repository/model-repository.js';
import type { InferenceRunner, RunnerFactory } from '../../runtime/runner.js';
import type { Logger } from '../../types/logger.js';
import { channels, subscribe, type BatchStartEvent, type ModelStateEvent } from '../events.js';
import { LayerMetrics } from '../metrics/layer-metrics.js';
import { createSampler } from '../sampler.js';
import { createLayerPlan } from './layer-plan.js';
import { ModelProfiler, type LayerSnapshot, type ProfileWindowOptions, type ProfilingRunner } from './model-profiler.js';
import { OBSERVER_NICENESS } from '../background.js';

export interface LayerObserver {
  /** Subscribes to the core's events; call before models load. */
  start(): this;
  /** Unsubscribes, closes every profiling runner and removes the profile files. */
  stop(): Promise<void>;
  /** What the latest window measured for a model version; undefined when it is not profiled. */
  snapshot(model: string, version: string): LayerSnapshot | undefined;
}

/** The repository slice the observer needs (ModelRepository satisfies it). */
export interface ModelSource {
  resolve(name: string, version?: string): LoadedModel;
}

export interface LayerObserverOptions {
  readonly registry: Registry;
  readonly repository: ModelSource;
  /** Starts the profiling runners: the runtime's onnxruntime factory. */
  readonly runnerFactory: RunnerFactory;
  readonly logger: Logger;
  /** Window length and sample cap (DEFAULT_PROFILE_WINDOW); tests shorten it. */
  readonly window?: Partial<ProfileWindowOptions>;
  /** Rows copied from a sampled batch at most (default 16). */
  readonly maxRows?: number;
  /** Share of one core each profiling instance may keep busy on average (default 0.1; 0 < x ≤ 1). */
  readonly cpuBudget?: number;
  /** Parent of the profile directory (default os.tmpdir()). */
  readonly tmpDir?: string;
}

/** Figures refresh at least every 10 s under traffic (plus the rotation, a few ms). */
export const DEFAULT_PROFILE_WINDOW: ProfileWindowOptions = Object.freeze({ ms: 10_000, samples: 25 });
export const DEFAULT_MAX_SAMPLE_ROWS = 16;
export const DEFAULT_CPU_BUDGET = 0.1;

/** Wired when metrics are disabled: subscribes to nothing, profiles nothing. */
export const NOOP_LAYER_OBSERVER: LayerObserver = Object.freeze({
  start() {
    return this;
  },
  stop: () => Promise.resolve(),
  snapshot: () => undefined,
});

/** @throws RangeError for a window, row cap or CPU budget out of range. */
export function createLayerObserver(options: LayerObserverOptions): LayerObserver {
  const { window = {}, maxRows = DEFAULT_MAX_SAMPLE_ROWS, cpuBudget = DEFAULT_CPU_BUDGET } = options;
  if (!(cpuBudget > 0 && cpuBudget <= 1)) throw new RangeError(`cpuBudget must be in (0, 1], got ${cpuBudget}`);
  if (!(Number.isInteger(maxRows) && maxRows >= 1)) throw new RangeError(`maxRows must be an integer >= 1, got ${maxRows}`);
  const { ms, samples } = { ...DEFAULT_PROFILE_WINDOW, ...window };
  if (!(ms > 0 && Number.isInteger(samples) && samples >= 1)) throw new RangeError(`window needs ms > 0 and samples >= 1, got ${ms} ms, ${samples}`);
  return new ProfilingObserver({ ...options, window: { ms, samples }, maxRows, cpuBudget });
}

interface Entry {
  readonly loaded: LoadedModel;
  profiler?: ModelProfiler;
  started?: Promise<void>;
  /** This version's profile directory. */
  dir?: string;
  closed: boolean;
}

const keyOf = (model: string, version: string): string => `${model}\u0000${version}`;

function canProfile(runner: InferenceRunner): runner is InferenceRunner & ProfilingRunner {
  return typeof runner.endProfile === 'function';
}

class ProfilingObserver implements LayerObserver {
  readonly #options: LayerObserverOptions;
  readonly #metrics: LayerMetrics;
  readonly #log: Logger;
  readonly #window: ProfileWindowOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #closing = new Set<Promise<void>>();
  readonly #unsubscribe: (() => void)[] = [];
  #root: Promise<string> | undefined;

  constructor(options: LayerObserverOptions) {
    this.#options = options;
    this.#metrics = new LayerMetrics(options.registry);
    this.#log = options.logger;
    this.#window = { ...DEFAULT_PROFILE_WINDOW, ...options.window };
  }

  start(): this {
    const onError = (err: unknown): void => this.#log.warn({ err }, 'per-layer profiler: event handling failed');
    this.#unsubscribe.push(
      subscribe<ModelStateEvent>(channels.modelState, (e) => this.#modelState(e), onError),
      subscribe<BatchStartEvent>(channels.batchStart, (e) => this.#entries.get(keyOf(e.model, e.version))?.profiler?.offer(e), onError),
    );
    return this;
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const entry of [...this.#entries.values()]) this.#retire(entry);
    while (this.#closing.size > 0) await Promise.all([...this.#closing]);
    const root = this.#root;
    this.#root = undefined;
    if (root) await rm(await root.catch(() => ''), { recursive: true, force: true }).catch(() => undefined);
  }

  snapshot(model: string, version: string): LayerSnapshot | undefined {
    return this.#entries.get(keyOf(model, version))?.profiler?.snapshot();
  }

  #modelState(e: ModelStateEvent): void {
    const entry = this.#entries.get(keyOf(e.model, e.version));
    const current = this.#current(e.model, e.version);
    if (e.state === 'READY') {
      if (current === undefined || entry?.loaded === current) return;
      if (entry) this.#retire(entry);
      if (current.config.file.observe.enabled) this.#begin(current);
      return;
    }
    // During a reload the new version is READY before the old one unloads: keep the new profiler.
    if (entry && (e.state === 'UNLOADING' || e.state === 'UNAVAILABLE') && current !== entry.loaded) this.#retire(entry);
  }

  #current(model: string, version: string): LoadedModel | undefined {
    try {
      return this.#options.repository.resolve(model, version);
    } catch {
      return undefined;
    }
  }

  #begin(loaded: LoadedModel): void {
    const entry: Entry = { loaded, closed: false };
    this.#entries.set(keyOf(loaded.name, loaded.version), entry);
    entry.started = this.#startProfiler(entry);
  }

  #retire(entry: Entry): void {
    entry.closed = true;
    const key = keyOf(entry.loaded.name, entry.loaded.version);
    if (this.#entries.get(key) === entry) this.#entries.delete(key);
    const closing = (async () => {
      await entry.started;
      await entry.profiler?.close().catch((err: unknown) => this.#log.warn({ err, model: entry.loaded.name }, 'per-layer profiler: close failed'));
      if (entry.dir !== undefined) await rm(entry.dir, { recursive: true, force: true }).catch(() => undefined);
    })();
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }

  /** Reads the graph, plans the layers, starts the profiling runner. Failures are logged and counted. */
  async #startProfiler(entry: Entry): Promise<void> {
    const { loaded } = entry;
    const labels = { model: loaded.name, version: loaded.version };
    const series = this.#metrics.forModel(loaded.name, loaded.version);
    const observe = loaded.config.file.observe;
    let runner: InferenceRunner | undefined;
    try {
      const plan = createLayerPlan(await readModelFile(loaded.modelPath), observe);
      if (plan.unmatched.length > 0) this.#log.warn({ ...labels, patterns: plan.unmatched }, 'observe.layers patterns match no layer');
      const root = await (this.#root ??= mkdtemp(join(this.#options.tmpDir ?? tmpdir(), 'layerscope-profiles-')));
      const dir = (entry.dir = await mkdtemp(join(root, 'model-')));
      runner = await this.#options.runnerFactory.create(
        {
          modelName: loaded.name,
          modelVersion: loaded.version,
          modelPath: loaded.modelPath,
          instanceCount: 1,
          intraOpThreads: 1,
          interOpThreads: 1,
          graphOptimizationLevel: loaded.config.file.onnxruntime.graph_optimization_level,
          executionProviders: [loaded.runner.provider],
          allowSpinning: false,
          niceness: OBSERVER_NICENESS,
          profiling: { dir },
        },
        (message) => this.#log.warn(labels, message),
      );
      if (!canProfile(runner) || entry.closed) {
        if (!entry.closed) this.#log.warn(labels, 'the runtime cannot profile: per-layer latency is off for this model');
        await runner.close();
        return;
      }
      entry.profiler = new ModelProfiler({
        model: loaded.name,
        version: loaded.version,
        plan,
        runner,
        outputNames: runner.outputs.map((o) => o.name),
        batched: loaded.config.maxBatchSize > 0,
        sampler: createSampler({ rate: observe.sample_rate, maxPerSecond: observe.max_batches_per_second }),
        series,
        window: this.#window,
        maxRows: this.#options.maxRows ?? DEFAULT_MAX_SAMPLE_ROWS,
        cpuBudget: this.#options.cpuBudget ?? DEFAULT_CPU_BUDGET,
        onError: (err, during) => this.#log.warn({ ...labels, err }, `per-layer profiler: ${during} failed`),
      });
      this.#log.info({ ...labels, observed: [...plan.observed], depth: plan.depth }, 'per-layer profiler ready');
    } catch (err) {
      series.error();
      this.#log.warn({ ...labels, err }, 'per-layer profiler failed to start; per-layer latency is off for this model');
      await runner?.close().catch(() => undefined);
    }
  }
}
