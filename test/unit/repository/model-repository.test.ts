import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelRepository } from '../../../src/repository/model-repository.js';
import type { InferenceRunner, RunnerFactory, RunnerOptions, RunRequest, RunResult } from '../../../src/runtime/runner.js';
import type { GraphTensor } from '../../../src/types/model.js';
import { silentLogger } from '../../../src/types/logger.js';
import { createTempRepo, type TempRepo } from '../../helpers/temp-repo.js';

/** A runner whose graph is scripted; records warm-up runs. */
class ScriptedRunner implements InferenceRunner {
  readonly provider = 'cpu' as const;
  readonly instanceCount = 1;
  readonly runs: RunRequest[] = [];
  closed = false;
  constructor(
    readonly inputs: readonly GraphTensor[],
    readonly outputs: readonly GraphTensor[],
  ) {}
  idleInstances = () => 1;
  whenIdle = async () => {};
  async run(request: RunRequest): Promise<RunResult> {
    this.runs.push(request);
    return { outputs: [], instance: 0, timings: { inputNs: 0, inferNs: 0, outputNs: 0 } };
  }
  async close() {
    this.closed = true;
  }
}

const GRAPH_IN: GraphTensor[] = [{ name: 'x', datatype: 'FP32', shape: ['batch', 4] }];
const GRAPH_OUT: GraphTensor[] = [{ name: 'y', datatype: 'FP32', shape: ['batch', 2] }];

function factory(created: { options: RunnerOptions; runner: ScriptedRunner }[], fail?: (o: RunnerOptions) => string | undefined): RunnerFactory {
  return {
    async create(options) {
      const reason = fail?.(options);
      if (reason) throw new Error(reason);
      const runner = new ScriptedRunner(GRAPH_IN, GRAPH_OUT);
      created.push({ options, runner });
      return runner;
    },
  };
}

let repo: TempRepo;
afterEach(() => repo.remove());

function repository(created: { options: RunnerOptions; runner: ScriptedRunner }[], fail?: (o: RunnerOptions) => string | undefined) {
  return new ModelRepository({
    root: repo.dir,
    runnerFactory: factory(created, fail),
    runtime: { instanceCount: 0, intraOpThreads: 0, executionProviders: ['cpu'], cores: 2 },
    logger: silentLogger,
  });
}

function withVersions(name: string, versions: number[], config?: object): void {
  for (const v of versions) repo.write(`${name}/${v}/model.onnx`, 'x');
  if (config) repo.write(`${name}/config.json`, JSON.stringify(config));
}

test('derives inputs, outputs, dims and a batch dim from the graph when config.json is absent', async () => {
  repo = createTempRepo();
  withVersions('m', [1]);
  const created: { options: RunnerOptions; runner: ScriptedRunner }[] = [];
  const r = repository(created);
  await r.loadAll();
  const model = r.resolve('m');
  assert.equal(model.config.maxBatchSize, 64);
  assert.deepEqual(model.config.inputs, [{ name: 'x', datatype: 'FP32', dims: [4] }]);
  assert.deepEqual(model.config.outputs, [{ name: 'y', datatype: 'FP32', dims: [2] }]);
  assert.ok(model.config.dynamicBatching, 'dynamic batching is auto-enabled like Triton');
  assert.equal(created[0]!.options.instanceCount, 2, 'two instances on two cores by default');
  assert.equal(created[0]!.options.intraOpThreads, 1);
});

test('a large model file (64 MiB and more) defaults to one instance with both cores\' threads', async () => {
  repo = createTempRepo();
  repo.write('big/1/model.onnx', new Uint8Array(64 * 1024 * 1024));
  const created: { options: RunnerOptions; runner: ScriptedRunner }[] = [];
  await repository(created).loadAll();
  assert.deepEqual({ instances: created[0]!.options.instanceCount, threads: created[0]!.options.intraOpThreads }, { instances: 1, threads: 2 });
});

test('runs the default zero warm-up batch before the model reports READY', async () => {
  repo = createTempRepo();
  withVersions('m', [1]);
  const created: { options: RunnerOptions; runner: ScriptedRunner }[] = [];
  const r = repository(created);
  await r.loadAll();
  const runs = created[0]!.runner.runs;
  assert.equal(runs.length, 1);
  assert.deepEqual(runs[0]!.inputs[0]!.shape, [1, 4]);
  assert.deepEqual([...(runs[0]!.inputs[0]!.data as Float32Array)], [0, 0, 0, 0]);
  assert.equal(r.index()[0]!.state, 'READY');
});

test('runs configured model_warmup batches with their batch size and count', async () => {
  repo = createTempRepo();
  withVersions('m', [1], { model_warmup: [{ name: 'w', batch_size: 3, count: 2, inputs: { x: { data_type: 'TYPE_FP32', dims: [4], random_data: true } } }] });
  const created: { options: RunnerOptions; runner: ScriptedRunner }[] = [];
  await repository(created).loadAll();
  const runs = created[0]!.runner.runs;
  assert.equal(runs.length, 2);
  assert.deepEqual(runs[1]!.inputs[0]!.shape, [3, 4]);
});

test('version policy: latest 1 by default, latest N, all and specific', async () => {
  repo = createTempRepo();
  withVersions('a', [1, 2, 3]);
  withVersions('b', [1, 2, 3], { version_policy: { latest: { num_versions: 2 } } });
  withVersions('c', [1, 2, 3], { version_policy: { all: {} } });
  withVersions('d', [1, 2, 3], { version_policy: { specific: { versions: [1, 3] } } });
  const r = repository([]);
  await r.loadAll();
  assert.deepEqual(r.readyVersions('a'), ['3']);
  assert.deepEqual(r.readyVersions('b').sort(), ['2', '3']);
  assert.deepEqual(r.readyVersions('c').sort(), ['1', '2', '3']);
  assert.deepEqual(r.readyVersions('d').sort(), ['1', '3']);
  assert.equal(r.resolve('d').version, '3', 'without a version the latest ready one serves');
  assert.throws(() => r.resolve('d', '2'), { code: 'LS_ERR_MODEL_VERSION_NOT_FOUND' });
});

test('an unknown config field makes only that model UNAVAILABLE, naming the field', async () => {
  repo = createTempRepo();
  withVersions('good', [1]);
  withVersions('bad', [1], { max_batch_size: 4, dynamic_batchin: {} });
  const r = repository([]);
  await r.loadAll();
  assert.equal(r.isReady('good'), true);
  assert.equal(r.isReady('bad'), false);
  const bad = r.index().find((s) => s.name === 'bad')!;
  assert.equal(bad.state, 'UNAVAILABLE');
  assert.match(bad.reason, /dynamic_batchin/);
  assert.throws(() => r.resolve('bad'), (err: Error & { code?: string }) => err.code === 'LS_ERR_MODEL_UNAVAILABLE' && /dynamic_batchin/.test(err.message));
});

test('a config that disagrees with the graph is UNAVAILABLE with expected and received', async () => {
  repo = createTempRepo();
  withVersions('m', [1], { input: [{ name: 'x', data_type: 'TYPE_INT32', dims: [4] }] });
  const created: { options: RunnerOptions; runner: ScriptedRunner }[] = [];
  const r = repository(created);
  await r.loadAll();
  assert.match(r.index()[0]!.reason, /TYPE_INT32.*FP32/);
  assert.equal(created[0]!.runner.closed, true, 'the runner of a failed load is closed');
});

test('a runner that fails to load leaves the model UNAVAILABLE with the runtime reason', async () => {
  repo = createTempRepo();
  withVersions('m', [1]);
  const r = repository([], () => 'failed to load model: Protobuf parsing failed');
  await r.loadAll();
  assert.equal(r.index()[0]!.state, 'UNAVAILABLE');
  assert.match(r.index()[0]!.reason, /Protobuf parsing failed/);
  await assert.rejects(r.load('m'), { code: 'LS_ERR_MODEL_LOAD_FAILED' });
});

test('unload drains through the hooks, closes the runner and leaves the model UNAVAILABLE "unloaded"', async () => {
  repo = createTempRepo();
  withVersions('m', [1]);
  const created: { options: RunnerOptions; runner: ScriptedRunner }[] = [];
  const r = repository(created);
  const drained: string[] = [];
  r.onBeforeUnload(async (model) => void drained.push(`${model.name}/${model.version}`));
  await r.loadAll();
  await r.unload('m');
  assert.deepEqual(drained, ['m/1']);
  assert.equal(created[0]!.runner.closed, true);
  assert.deepEqual(r.index(), [{ name: 'm', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' }]);
  await r.load('m');
  assert.equal(r.isReady('m'), true);
});

test('instance_group count, KIND_GPU and onnxruntime options reach the runner', async () => {
  repo = createTempRepo();
  withVersions('m', [1], { instance_group: [{ count: 3, kind: 'KIND_GPU' }], onnxruntime: { intra_op_threads: 2, graph_optimization_level: 'basic' } });
  const created: { options: RunnerOptions; runner: ScriptedRunner }[] = [];
  await repository(created).loadAll();
  const o = created[0]!.options;
  assert.equal(o.instanceCount, 3);
  assert.equal(o.intraOpThreads, 2);
  assert.equal(o.graphOptimizationLevel, 'basic');
  assert.deepEqual(o.executionProviders, ['cuda', 'cpu']);
});
