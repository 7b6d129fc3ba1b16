import { join } from 'node:path';
import type { LoadedModel } from '../../repository/model-repository.js';
import type { RunnerFactory } from '../../runtime/runner.js';
import type { Logger } from '../../types/logger.js';
import { BASELINE_FILE, readBaselineFile, type Baseline } from '../drift/baseline.js';
import { DriftTracker } from '../drift/drift-tracker.js';
import { channels, subscribe, type BatchStartEvent, type ModelStateEvent } from '../events.js';
import { createSampler } from '../sampler.js';
import type { ActivationSink, DriftSink, ModelLabels, ObserveComponent, ObserveErrorCounter } from './activation-sink.js';
import { createInstrumentedRunner, type InstrumentedRunner } from './instrumented-runner.js';
import { ModelObservation } from './model-observation.js';

export interface ActivationObserverOptions {
  /** Where READY model versions are looked up (their config, paths). */
  readonly repository: { resolve(name: string, version?: string): LoadedModel };
  /** Starts the instrumented runners (the server's onnxruntime factory). */
  readonly runnerFactory: RunnerFactory;
  readonly logger: Logger;
  readonly sink: ActivationSink;
  readonly drift: DriftSink;
  readonly countError: ObserveErrorCounter;
  /** Sampler clock (ms) and randomness; tests inject them. */
  readonly now?: () => number;
  readonly random?: () => number;
}

interface Entry {
  readonly loaded: LoadedModel;
  readonly labels: ModelLabels;
  observation?: ModelObservation;
  setup: Promise<void>;
  closed: boolean;
}

/**
 * Activation statistics and drift for every READY model version whose `observe.enabled` is true
 * (DESIGN.md §5): on READY it starts an instrumented runner (instrumented-runner.ts) and a drift
 * tracker with the version's baseline.json (or one learned from the first `baseline_batches`
 * sampled batches); on every batch start it lets the version's ModelObservation decide whether
 * to sample; on unload it closes them and drops the version's series. Every failure is logged
 * and counted (`layerscope_observe_errors_total`), never thrown into the core.
 */
export class ActivationObserver {
  readonly #o: ActivationObserverOptions;
  readonly #log: Logger;
  readonly #entries = new Map<string, Map<string, Entry>>();
  readonly #unsubscribe: (() => void)[] = [];
  /** Observations being closed (unloaded versions): close() waits for them too. */
  readonly #retiring = new Set<Promise<void>>();

  constructor(options: ActivationObserverOptions) {
    this.#o = options;
    this.#log = options.logger;
  }

  start(): this {
    const onError = (err: unknown): void => this.#log.warn({ err }, 'activation observer error');
    this.#unsubscribe.push(
      subscribe<ModelStateEvent>(channels.modelState, (e) => this.#modelState(e), onError),
      subscribe<BatchStartEvent>(channels.batchStart, (e) => this.#entries.get(e.model)?.get(e.version)?.observation?.offer(e), onError),
    );
    return this;
  }

  /** Unsubscribes, then closes every observation (waiting for runs in flight). */
  async close(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    const entries = [...this.#entries.values()].flatMap((versions) => [...versions.values()]);
    this.#entries.clear();
    await Promise.all([...entries.map((entry) => this.#retire(entry)), ...this.#retiring]);
  }

  #modelState(e: ModelStateEvent): void {
    const versions = this.#entries.get(e.model);
    const existing = versions?.get(e.version);
    if (e.state === 'READY') {
      const loaded = this.#resolve(e.model, e.version);
      if (!loaded || loaded === existing?.loaded) return;
      if (existing) this.#remove(existing);
      if (!loaded.config.file.observe.enabled) return;
      const entry: Entry = { loaded, labels: { model: e.model, version: e.version }, setup: Promise.resolve(), closed: false };
      entry.setup = this.#setup(entry);
      const live = this.#entries.get(e.model); // #remove may have dropped the model's map
      if (live) live.set(e.version, entry);
      else this.#entries.set(e.model, new Map([[e.version, entry]]));
      return;
    }
    if (e.state === 'LOADING' || !existing) return;
    // A reload publishes the old version's UNLOADING after the new one is READY: keep the new.
    if (this.#resolve(e.model, e.version) === existing.loaded) return;
    this.#remove(existing);
  }

  #resolve(model: string, version: string): LoadedModel | undefined {
    try {
      return this.#o.repository.resolve(model, version);
    } catch {
      return undefined;
    }
  }

  #remove(entry: Entry): void {
    const { model, version } = entry.labels;
    const versions = this.#entries.get(model);
    if (versions?.get(version) === entry) versions.delete(version);
    if (versions?.size === 0) this.#entries.delete(model);
    this.#o.sink.removed(entry.labels);
    this.#o.drift.removed(entry.labels);
    const retiring = this.#retire(entry).finally(() => this.#retiring.delete(retiring));
    this.#retiring.add(retiring);
  }

  async #retire(entry: Entry): Promise<void> {
    entry.closed = true;
    await entry.setup;
    await entry.observation?.close().catch((err: unknown) => this.#fail(entry.labels, 'activations', err, 'closing the instrumented runner failed'));
  }

  #fail(labels: ModelLabels, component: ObserveComponent, err: unknown, message: string): void {
    this.#o.countError(labels, component);
    this.#log.warn({ ...labels, component, err: err instanceof Error ? err.message : String(err) }, message);
  }

  async #setup(entry: Entry): Promise<void> {
    const { loaded, labels } = entry;
    const observe = loaded.config.file.observe;
    let runner: InstrumentedRunner | null = null;
    try {
      runner = await createInstrumentedRunner({
        model: labels.model,
        version: labels.version,
        modelPath: loaded.modelPath,
        observe,
        runnerFactory: this.#o.runnerFactory,
        graphOptimizationLevel: loaded.config.file.onnxruntime.graph_optimization_level,
        onWarning: (message) => this.#log.warn({ ...labels }, message),
      });
      if (runner === null) {
        this.#log.info({ ...labels }, 'activations: the model has no observable layer');
        return;
      }
      if (runner.unmatched.length > 0) this.#log.warn({ ...labels, patterns: runner.unmatched }, 'observe.layers patterns match no layer');
      const tracker = await this.#tracker(entry, runner);
      if (entry.closed) {
        await runner.close();
        return;
      }
      if (tracker.missing.length > 0) this.#log.warn({ ...labels, layers: tracker.missing }, 'baseline.json has no entry for these observed layers: no drift score for them');
      entry.observation = new ModelObservation({
        labels,
        runner,
        batched: loaded.config.maxBatchSize > 0,
        sampler: createSampler({
          rate: observe.sample_rate,
          maxPerSecond: observe.max_batches_per_second,
          ...(this.#o.now ? { now: this.#o.now } : {}),
          ...(this.#o.random ? { random: this.#o.random } : {}),
        }),
        sink: this.#o.sink,
        drift: { tracker, sink: this.#o.drift },
        onError: (component, err) => this.#fail(labels, component, err, `${component}: sampled batch failed`),
        onBaselineLearned: (learned) =>
          this.#log.info({ ...labels, rows: learned.rows, layers: Object.keys(learned.layers) }, 'drift baseline learned from live traffic (no baseline.json)'),
      });
      this.#o.sink.layersReady(labels, runner.layers);
      this.#log.info({ ...labels, layers: runner.layers.map((l) => l.name), baseline: tracker.learning ? 'learning' : BASELINE_FILE }, 'activations observed');
    } catch (err) {
      await runner?.close().catch(() => undefined);
      this.#fail(labels, 'activations', err, 'activations: cannot observe this model version');
    }
  }

  /** A drift tracker over baseline.json, or learning one when it is absent or unusable. */
  async #tracker(entry: Entry, runner: InstrumentedRunner): Promise<DriftTracker> {
    const { loaded, labels } = entry;
    const observe = loaded.config.file.observe;
    const make = (baseline: Baseline | null): DriftTracker =>
      new DriftTracker({ ...labels, layers: runner.layers, baseline, window: observe.drift_window, baselineBatches: observe.baseline_batches });
    try {
      const stored = await readBaselineFile(join(loaded.versionDir, BASELINE_FILE));
      if (stored) return make(stored);
    } catch (err) {
      this.#fail(labels, 'drift', err, `drift: ${BASELINE_FILE} is unusable, learning a baseline from live traffic instead`);
      return make(null);
    }
    this.#log.info({ ...labels, batches: observe.baseline_batches }, `drift: no ${BASELINE_FILE}, learning a baseline from the first sampled batches`);
    return make(null);
  }
}
