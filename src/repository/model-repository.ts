import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ServingError } from '../errors/serving-error.js';
import { publishModelState, type ModelState } from '../observe/events.js';
import type { InferenceRunner, RunnerFactory } from '../runtime/runner.js';
import type { Logger } from '../types/logger.js';
import { deriveConfig, type ResolvedModelConfig } from './derive-config.js';
import { parseModelConfig, type ModelConfigFile } from './model-config.js';
import { runnerOptions, type RuntimeDefaults } from './runner-options.js';
import { listVersions, selectVersions } from './versions.js';
import { runWarmup } from './warmup.js';

/** A READY model version: its completed config and the runner that executes it. */
export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly config: ResolvedModelConfig;
  readonly runner: InferenceRunner;
  readonly versionDir: string;
  readonly modelPath: string;
}

export interface ModelStatus {
  readonly name: string;
  readonly version: string;
  readonly state: ModelState;
  readonly reason: string;
}

export interface ModelRepositoryOptions {
  readonly root: string;
  readonly runnerFactory: RunnerFactory;
  readonly runtime: RuntimeDefaults;
  readonly logger: Logger;
}

interface VersionEntry {
  state: ModelState;
  reason: string;
  loaded?: LoadedModel;
}

interface ModelEntry {
  readonly name: string;
  versions: Map<string, VersionEntry>;
  /** A problem that concerns the whole model (bad config.json, no versions). */
  error?: string;
}

/** Called before a version's runner closes, so its queue can drain. */
export type BeforeUnloadHook = (model: LoadedModel) => Promise<void>;

/**
 * Triton-layout model repository: `<root>/<name>/[config.json]`, `<root>/<name>/<n>/model.onnx`.
 * Owns each version's lifecycle (LOADING → READY | UNAVAILABLE, READY → UNLOADING → gone). One bad
 * model never stops the others: it becomes UNAVAILABLE with the reason, logged and in the index.
 */
export class ModelRepository {
  readonly #options: ModelRepositoryOptions;
  readonly #models = new Map<string, ModelEntry>();
  readonly #hooks: BeforeUnloadHook[] = [];
  #startupComplete = false;

  constructor(options: ModelRepositoryOptions) {
    this.#options = options;
  }

  /** True once loadAll() has finished (whatever each model's outcome). */
  get startupComplete(): boolean {
    return this.#startupComplete;
  }

  get root(): string {
    return this.#options.root;
  }

  onBeforeUnload(hook: BeforeUnloadHook): void {
    this.#hooks.push(hook);
  }

  /** Names of the model directories in the repository. */
  scan(): string[] {
    const root = this.#options.root;
    return readdirSync(root)
      .filter((name) => !name.startsWith('.') && statSync(join(root, name)).isDirectory())
      .filter((name) => existsSync(join(root, name, 'config.json')) || listVersions(join(root, name)).length > 0)
      .sort();
  }

  /** Load every model found; never throws for a bad model. */
  async loadAll(): Promise<void> {
    await Promise.all(this.scan().map((name) => this.#load(name)));
    this.#startupComplete = true;
  }

  /** Load (or reload) one model by name; throws a ServingError if no version became READY. */
  async load(name: string): Promise<void> {
    if (!existsSync(join(this.#options.root, name)) || !this.scan().includes(name)) {
      throw new ServingError('LS_ERR_MODEL_NOT_FOUND', { model: name });
    }
    const entry = await this.#load(name);
    const ready = [...entry.versions.values()].some((v) => v.state === 'READY');
    if (!ready) {
      const reason = entry.error ?? [...entry.versions.values()].map((v) => v.reason).join('; ');
      throw new ServingError('LS_ERR_MODEL_LOAD_FAILED', { model: name, detail: reason || 'no version loaded' });
    }
  }

  /** Unload every version of a model: drain, close the runners, mark UNAVAILABLE "unloaded". */
  async unload(name: string): Promise<void> {
    const entry = this.#models.get(name);
    if (!entry) throw new ServingError('LS_ERR_MODEL_NOT_FOUND', { model: name });
    await Promise.all([...entry.versions.entries()].map(([version, v]) => this.#unloadVersion(name, version, v)));
  }

  /** Repository index: every model directory, and each version's state. */
  index(): ModelStatus[] {
    const statuses: ModelStatus[] = [];
    for (const name of new Set([...this.scan(), ...this.#models.keys()])) {
      const entry = this.#models.get(name);
      if (!entry) {
        statuses.push({ name, version: '', state: 'UNAVAILABLE', reason: 'not loaded' });
        continue;
      }
      if (entry.versions.size === 0) statuses.push({ name, version: '', state: 'UNAVAILABLE', reason: entry.error ?? 'unloaded' });
      for (const [version, v] of entry.versions) statuses.push({ name, version, state: v.state, reason: v.reason });
    }
    return statuses.sort((a, b) => a.name.localeCompare(b.name) || Number(a.version) - Number(b.version));
  }

  /** READY versions of a model, as decimal strings, ascending. */
  readyVersions(name: string): string[] {
    const entry = this.#models.get(name);
    if (!entry) return [];
    return [...entry.versions.entries()].filter(([, v]) => v.state === 'READY').map(([k]) => k);
  }

  /**
   * The model version a request addresses. Throws ServingError: unknown model/version → not found;
   * known but not READY → unavailable (with the state and reason).
   */
  resolve(name: string, version?: string): LoadedModel {
    const entry = this.#models.get(name);
    if (!entry) throw new ServingError('LS_ERR_MODEL_NOT_FOUND', { model: name });
    if (version !== undefined) {
      const v = entry.versions.get(version);
      if (!v) throw new ServingError('LS_ERR_MODEL_VERSION_NOT_FOUND', { model: name, version });
      if (v.state !== 'READY' || !v.loaded) {
        throw new ServingError('LS_ERR_MODEL_NOT_READY', { model: name, version, state: v.state, reason: v.reason });
      }
      return v.loaded;
    }
    const ready = [...entry.versions.values()].filter((v) => v.state === 'READY' && v.loaded);
    const latest = ready[ready.length - 1]?.loaded;
    if (!latest) {
      const reason = entry.error ?? ([...entry.versions.values()].map((v) => `${v.state}: ${v.reason}`).join('; ') || 'unloaded');
      throw new ServingError('LS_ERR_MODEL_UNAVAILABLE', { model: name, reason });
    }
    return latest;
  }

  /** True if the addressed model version is READY; throws not-found errors like resolve(). */
  isReady(name: string, version?: string): boolean {
    try {
      this.resolve(name, version);
      return true;
    } catch (err) {
      if (err instanceof ServingError && err.kind === 'not_found') throw err;
      return false;
    }
  }

  /** Every READY model version. */
  loaded(): LoadedModel[] {
    const out: LoadedModel[] = [];
    for (const entry of this.#models.values()) {
      for (const v of entry.versions.values()) if (v.state === 'READY' && v.loaded) out.push(v.loaded);
    }
    return out;
  }

  /** Unload everything (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.#models.keys()].map((name) => this.unload(name)));
  }

  async #load(name: string): Promise<ModelEntry> {
    const modelDir = join(this.#options.root, name);
    const previous = this.#models.get(name);
    const entry: ModelEntry = { name, versions: new Map() };
    const file = this.#readConfig(name, modelDir);
    if (!file.ok) {
      entry.error = file.error;
      this.#fail(entry, listVersions(modelDir).map(String), file.error);
    } else {
      const versions = selectVersions(listVersions(modelDir), file.config.version_policy).map(String);
      if (versions.length === 0) {
        entry.error = `no version directory with ${file.config.default_model_filename} matches the version policy`;
        this.#options.logger.error({ model: name, reason: entry.error }, 'model unavailable');
      }
      if (!previous) this.#models.set(name, entry);
      await Promise.all(versions.map((version) => this.#loadVersion(entry, version, modelDir, file.config)));
    }
    // Swap in the new versions, then retire the old ones (reload without a gap).
    this.#models.set(name, entry);
    if (previous && previous !== entry) {
      await Promise.all([...previous.versions.entries()].map(([v, e]) => this.#unloadVersion(name, v, e)));
    }
    return entry;
  }

  #readConfig(name: string, modelDir: string): { ok: true; config: ModelConfigFile } | { ok: false; error: string } {
    const path = join(modelDir, 'config.json');
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '{}';
    const parsed = parseModelConfig(text);
    if (!parsed.ok) return { ok: false, error: `invalid config.json for model '${name}': ${parsed.error}` };
    return parsed;
  }

  #fail(entry: ModelEntry, versions: string[], reason: string): void {
    for (const version of versions.length > 0 ? versions : []) {
      entry.versions.set(version, { state: 'UNAVAILABLE', reason });
      publishModelState({ model: entry.name, version, state: 'UNAVAILABLE', reason });
    }
    this.#options.logger.error({ model: entry.name, reason }, 'model unavailable');
  }

  async #loadVersion(entry: ModelEntry, version: string, modelDir: string, file: ModelConfigFile): Promise<void> {
    const { logger, runnerFactory, runtime } = this.#options;
    const state: VersionEntry = { state: 'LOADING', reason: 'loading' };
    entry.versions.set(version, state);
    publishModelState({ model: entry.name, version, state: 'LOADING', reason: state.reason });
    const started = process.hrtime.bigint();
    const versionDir = join(modelDir, version);
    const modelPath = join(versionDir, file.default_model_filename);
    let runner: InferenceRunner | undefined;
    try {
      if (!existsSync(modelPath)) throw new Error(`${file.default_model_filename} not found in version ${version}`);
      const options = runnerOptions(entry.name, version, modelPath, file, runtime);
      runner = await runnerFactory.create(options, (message) => logger.warn({ model: entry.name, version }, message));
      const derived = deriveConfig(entry.name, file, runner.inputs, runner.outputs);
      if (!derived.ok) throw new Error(derived.error);
      await runWarmup(runner, derived.config, versionDir);
      state.loaded = { name: entry.name, version, config: derived.config, runner, versionDir, modelPath };
      state.state = 'READY';
      state.reason = '';
      const loadDurationS = Number(process.hrtime.bigint() - started) / 1e9;
      logger.info({ model: entry.name, version, provider: runner.provider, instances: runner.instanceCount, loadDurationS }, 'model ready');
      publishModelState({ model: entry.name, version, state: 'READY', reason: '', loadDurationS, provider: runner.provider, path: modelPath });
    } catch (err) {
      await runner?.close().catch(() => undefined);
      state.state = 'UNAVAILABLE';
      state.reason = err instanceof Error ? err.message : String(err);
      logger.error({ model: entry.name, version, reason: state.reason }, 'model unavailable');
      publishModelState({ model: entry.name, version, state: 'UNAVAILABLE', reason: state.reason });
    }
  }

  async #unloadVersion(name: string, version: string, entry: VersionEntry): Promise<void> {
    const loaded = entry.loaded;
    if (loaded) {
      entry.state = 'UNLOADING';
      entry.reason = 'unloading';
      publishModelState({ model: name, version, state: 'UNLOADING', reason: entry.reason });
      for (const hook of this.#hooks) await hook(loaded).catch(() => undefined);
      await loaded.runner.close().catch(() => undefined);
      delete entry.loaded;
      this.#options.logger.info({ model: name, version }, 'model unloaded');
    }
    entry.state = 'UNAVAILABLE';
    entry.reason = 'unloaded';
    publishModelState({ model: name, version, state: 'UNAVAILABLE', reason: entry.reason });
  }
}
