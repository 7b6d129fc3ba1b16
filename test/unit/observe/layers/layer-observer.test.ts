import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { publishBatchStart, publishModelState } from '../../../../src/observe/events.js';
import { createLayerObserver, NOOP_LAYER_OBSERVER, type LayerObserver } from '../../../../src/observe/layers/layer-observer.js';
import { parseModelConfig, type ObserveConfig } from '../../../../src/repository/model-config.js';
import type { LoadedModel } from '../../../../src/repository/model-repository.js';
import type { InferenceRunner, RunnerFactory, RunnerOptions } from '../../../../src/runtime/runner.js';
import { silentLogger, type Logger, type LogFn } from '../../../../src/types/logger.js';
import { FakeRunner } from '../../../helpers/fake-runner.js';
import { MODELS_DIR } from '../../../helpers/paths.js';
import { batch, eventually, FakeProfilingRunner } from './fakes.js';

const root = await mkdtemp(join(tmpdir(), 'layerscope-observer-test-'));
after(() => rm(root, { recursive: true, force: true }));

function loadedModel(name: string, observe: Partial<ObserveConfig> = {}): LoadedModel {
  const parsed = parseModelConfig(JSON.stringify({ observe }));
  if (!parsed.ok) throw new Error(parsed.error);
  return {
    name,
    version: '1',
    config: { name, platform: 'onnxruntime_onnx', maxBatchSize: 64, inputs: [], outputs: [], file: parsed.config },
    runner: new FakeRunner(),
    versionDir: join(MODELS_DIR, name, '1'),
    modelPath: join(MODELS_DIR, name, '1', 'model.onnx'),
  };
}

interface Harness {
  readonly observer: LayerObserver;
  readonly registry: Registry;
  readonly models: Map<string, LoadedModel>;
  readonly created: { options: RunnerOptions; runner: InferenceRunner }[];
  readonly warnings: string[];
  readonly tmp: string;
  ready(model: LoadedModel): void;
}

async function harness(make: (options: RunnerOptions) => InferenceRunner = () => new FakeProfilingRunner()): Promise<Harness> {
  const tmp = await mkdtemp(join(root, 'run-'));
  const models = new Map<string, LoadedModel>();
  const created: Harness['created'] = [];
  const warnings: string[] = [];
  const warn = ((obj: unknown, msg?: string) => warnings.push(typeof obj === 'string' ? obj : (msg ?? ''))) as LogFn;
  const logger: Logger = { fatal: warn, error: warn, warn, info: () => {}, debug: () => {}, trace: () => {}, child: () => logger };
  const runnerFactory: RunnerFactory = {
    create: (options) => {
      const runner = make(options);
      created.push({ options, runner });
      return Promise.resolve(runner);
    },
  };
  const registry = new Registry();
  const repository = {
    resolve: (name: string) => {
      const model = models.get(name);
      if (!model) throw new Error(`${name} is not ready`);
      return model;
    },
  };
  const observer = createLayerObserver({ registry, repository, runnerFactory, logger, window: { ms: 60_000, samples: 2 }, tmpDir: tmp }).start();
  const ready = (model: LoadedModel): void => {
    models.set(model.name, model);
    publishModelState({ model: model.name, version: '1', state: 'READY', reason: '' });
  };
  return { observer, registry, models, created, warnings, tmp, ready };
}

const cnnBatch = (rows: number) => ({ model: 'digits-cnn', version: '1', rows, inputs: batch(rows) });

test('profiles a READY model in one single-threaded, non-spinning, lowest-priority profiling instance and stops with it', async () => {
  const h = await harness();
  h.ready(loadedModel('digits-cnn'));
  await eventually(() => h.observer.snapshot('digits-cnn', '1') !== undefined, 5000, 'the profiler');
  const [{ options, runner } = assert.fail('no runner')] = h.created;
  assert.deepEqual(
    { instances: options.instanceCount, intra: options.intraOpThreads, spinning: options.allowSpinning, providers: options.executionProviders, nice: options.niceness },
    { instances: 1, intra: 1, spinning: false, providers: ['cpu'], nice: 19 },
  );
  assert.ok(options.profiling?.dir.startsWith(h.tmp));
  const fake = runner as FakeProfilingRunner;
  // sample_rate 0.1 by default: offer batches until two were sampled.
  await eventually(() => {
    publishBatchStart(cnnBatch(3));
    return h.observer.snapshot('digits-cnn', '1')?.window != null;
  }, 5000, 'a window');
  assert.equal(fake.received.length, 2);
  assert.match(await h.registry.metrics(), /layerscope_layer_duration_seconds_count\{model="digits-cnn",version="1",layer="block1"\} 2/);
  h.models.delete('digits-cnn');
  publishModelState({ model: 'digits-cnn', version: '1', state: 'UNLOADING', reason: 'unloading' });
  await eventually(() => fake.closed, 2000, 'the runner to close');
  assert.equal(h.observer.snapshot('digits-cnn', '1'), undefined);
  await h.observer.stop();
  assert.deepEqual(await readdir(h.tmp), [], 'the profile directory is removed');
});

test('wires nothing for a model whose observe.enabled is false', async () => {
  const h = await harness();
  h.ready(loadedModel('digits-cnn', { enabled: false }));
  publishBatchStart(cnnBatch(1));
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(h.created.length, 0);
  assert.equal(h.observer.snapshot('digits-cnn', '1'), undefined);
  assert.doesNotMatch(await h.registry.metrics(), /layerscope_layer_duration_seconds_count\{/);
  await h.observer.stop();
});

test('replaces the profiler when a model reloads, and keeps the new one when the old version unloads', async () => {
  const h = await harness();
  h.ready(loadedModel('digits-cnn'));
  await eventually(() => h.observer.snapshot('digits-cnn', '1') !== undefined, 5000, 'the first profiler');
  h.ready(loadedModel('digits-cnn'));
  await eventually(() => h.created.length === 2 && h.observer.snapshot('digits-cnn', '1') !== undefined, 5000, 'the second profiler');
  // The repository unloads the old version after the new one is READY.
  publishModelState({ model: 'digits-cnn', version: '1', state: 'UNLOADING', reason: 'unloading' });
  publishModelState({ model: 'digits-cnn', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' });
  const [first, second] = h.created.map((c) => c.runner as FakeProfilingRunner);
  await eventually(() => first?.closed === true, 2000, 'the old runner to close');
  assert.equal(second?.closed, false);
  assert.ok(h.observer.snapshot('digits-cnn', '1'));
  await h.observer.stop();
  assert.equal(second?.closed, true);
});

test('counts and logs a profiler that fails to start; serving is not involved', async () => {
  const h = await harness(() => {
    throw new Error('no memory for a profiling session');
  });
  h.ready(loadedModel('digits-cnn'));
  await eventually(() => h.warnings.some((w) => w.includes('failed to start')), 5000, 'the warning');
  assert.match(await h.registry.metrics(), /layerscope_observe_errors_total\{model="digits-cnn",version="1",component="profiler"\} 1/);
  assert.equal(h.observer.snapshot('digits-cnn', '1'), undefined);
  await h.observer.stop();
});

test('turns per-layer latency off for a runtime that cannot profile', async () => {
  const fake = new FakeRunner();
  const h = await harness(() => fake);
  h.ready(loadedModel('digits-cnn'));
  await eventually(() => h.warnings.some((w) => w.includes('cannot profile')), 5000, 'the warning');
  assert.equal(h.observer.snapshot('digits-cnn', '1'), undefined);
  await h.observer.stop();
});

test('rejects options out of range when it is built', () => {
  const base = { registry: new Registry(), repository: { resolve: () => assert.fail() }, runnerFactory: { create: () => assert.fail() }, logger: silentLogger };
  assert.throws(() => createLayerObserver({ ...base, cpuBudget: 0 }), /cpuBudget/);
  assert.throws(() => createLayerObserver({ ...base, maxRows: 0 }), /maxRows/);
  assert.throws(() => createLayerObserver({ ...base, window: { samples: 0 } }), /window/);
});

test('the no-op observer, wired when metrics are off, reports nothing', async () => {
  assert.equal(NOOP_LAYER_OBSERVER.start(), NOOP_LAYER_OBSERVER);
  publishBatchStart(cnnBatch(1));
  assert.equal(NOOP_LAYER_OBSERVER.snapshot('digits-cnn', '1'), undefined);
  await NOOP_LAYER_OBSERVER.stop();
});
