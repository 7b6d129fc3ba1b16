import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivationObserver } from '../../../../src/observe/activations/activation-observer.js';
import type { ModelLabels, ObserveComponent } from '../../../../src/observe/activations/activation-sink.js';
import { publishBatchStart, publishModelState } from '../../../../src/observe/events.js';
import { parseModelConfig } from '../../../../src/repository/model-config.js';
import type { LoadedModel } from '../../../../src/repository/model-repository.js';
import { silentLogger } from '../../../../src/types/logger.js';
import { FIXTURES_DIR } from '../../../helpers/paths.js';
import { batchStart, FakeRunnerFactory, ImmediateRunner, RecordingSink, settle } from './fakes.js';

const NAN_MODEL = join(FIXTURES_DIR, 'observe', 'nan-layer.onnx');

function loadedModel(versionDir: string, observe: object = { sample_rate: 1, max_batches_per_second: 1e6 }): LoadedModel {
  const parsed = parseModelConfig(JSON.stringify({ observe }));
  if (!parsed.ok) throw new Error(parsed.error);
  return {
    name: 'm',
    version: '1',
    config: { name: 'm', platform: 'onnxruntime_onnx', maxBatchSize: 8, inputs: [], outputs: [], file: parsed.config },
    runner: new ImmediateRunner(),
    versionDir,
    modelPath: NAN_MODEL,
  };
}

/** Waits until `check` holds (setup runs through file I/O). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(check(), 'condition not reached');
}

describe('ActivationObserver', () => {
  let dir: string;
  let current: LoadedModel | undefined;
  let factory: FakeRunnerFactory;
  let sink: RecordingSink;
  let driftSink: RecordingSink;
  let errors: { model: ModelLabels; component: ObserveComponent }[];
  let observer: ActivationObserver;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerscope-observer-test-'));
    current = undefined;
    factory = new FakeRunnerFactory();
    sink = new RecordingSink();
    driftSink = new RecordingSink();
    errors = [];
    observer = new ActivationObserver({
      repository: {
        resolve: () => {
          if (!current) throw new Error('not ready');
          return current;
        },
      },
      runnerFactory: factory,
      logger: silentLogger,
      sink,
      drift: driftSink,
      countError: (model, component) => errors.push({ model, component }),
    }).start();
  });

  afterEach(async () => {
    await observer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function ready(model: LoadedModel): void {
    current = model;
    publishModelState({ model: 'm', version: '1', state: 'READY', reason: '' });
  }

  test('observes the layers of a READY model through one single-thread CPU instance of its instrumented copy', async () => {
    ready(loadedModel(dir));
    await until(() => sink.ready.length === 1);
    assert.deepEqual(sink.ready[0]?.layers, ['a', 'b', 'c']);
    const options = factory.created[0]?.options;
    assert.equal(options?.instanceCount, 1);
    assert.equal(options?.intraOpThreads, 1);
    assert.equal(options?.niceness, 19, 'the instrumented instance runs at the lowest priority');
    assert.deepEqual(options?.executionProviders, ['cpu']);
    assert.notEqual(options?.modelPath, NAN_MODEL);
    publishBatchStart(batchStart(3));
    await settle();
    assert.equal(sink.batches.length, 1);
    assert.deepEqual(factory.created[0]?.runner.requests[0]?.outputNames, ['/a/Relu_output_0', '/b/Sqrt_output_0', 'y']);
  });

  test('deletes the instrumented copy and drops the series when the model unloads', async () => {
    ready(loadedModel(dir));
    await until(() => sink.ready.length === 1);
    const copy = factory.created[0]?.options.modelPath ?? '';
    assert.ok(existsSync(copy));
    current = undefined;
    publishModelState({ model: 'm', version: '1', state: 'UNLOADING', reason: 'unloading' });
    await until(() => factory.created[0]?.runner.closed === true && !existsSync(copy));
    assert.deepEqual(sink.removedModels, [{ model: 'm', version: '1' }]);
    assert.deepEqual(driftSink.removedModels, [{ model: 'm', version: '1' }]);
    publishBatchStart(batchStart(1));
    await settle();
    assert.equal(sink.batches.length, 0);
  });

  test('waits, when closed, for the runner of a version that was just unloaded', async () => {
    ready(loadedModel(dir));
    await until(() => sink.ready.length === 1);
    const copy = factory.created[0]?.options.modelPath ?? '';
    current = undefined;
    publishModelState({ model: 'm', version: '1', state: 'UNLOADING', reason: 'unloading' });
    await observer.close();
    assert.equal(factory.created[0]?.runner.closed, true);
    assert.equal(existsSync(copy), false);
  });

  test('keeps observing the new copy when a reload retires the old one under the same version', async () => {
    ready(loadedModel(dir));
    await until(() => sink.ready.length === 1);
    ready(loadedModel(dir));
    await until(() => sink.ready.length === 2);
    publishModelState({ model: 'm', version: '1', state: 'UNLOADING', reason: 'unloading' });
    await settle();
    assert.equal(factory.created[0]?.runner.closed, true);
    assert.equal(factory.created[1]?.runner.closed, false);
    publishBatchStart(batchStart(1));
    await settle();
    assert.equal(factory.created[1]?.runner.requests.length, 1);
  });

  test('leaves a model alone whose observe.enabled is false', async () => {
    ready(loadedModel(dir, { enabled: false }));
    await settle();
    publishBatchStart(batchStart(1));
    await settle();
    assert.equal(factory.created.length, 0);
    assert.equal(sink.batches.length, 0);
  });

  test('counts an instrumented runner that fails to start as an activations error, and the server goes on', async () => {
    factory.failure = new Error('no session for you');
    ready(loadedModel(dir));
    await until(() => errors.length === 1);
    assert.deepEqual(errors, [{ model: { model: 'm', version: '1' }, component: 'activations' }]);
    publishBatchStart(batchStart(1));
    await settle();
    assert.equal(sink.batches.length, 0);
  });

  test('counts an unusable baseline.json as a drift error and learns a baseline from live traffic instead', async () => {
    writeFileSync(join(dir, 'baseline.json'), '{"format": "something else"}');
    ready(loadedModel(dir, { sample_rate: 1, max_batches_per_second: 1e6, baseline_batches: 2, drift_window: 10 }));
    await until(() => sink.ready.length === 1);
    assert.deepEqual(
      errors.map((e) => e.component),
      ['drift'],
    );
    for (let i = 0; i < 4; i++) {
      publishBatchStart(batchStart(16));
      await settle();
    }
    assert.ok(driftSink.driftScores.length > 0, 'drift scores after the learned baseline');
  });
});
