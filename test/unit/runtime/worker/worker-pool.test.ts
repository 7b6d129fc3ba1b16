import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServingError } from '../../../../src/errors/serving-error.js';
import { createOnnxRunnerFactory } from '../../../../src/runtime/onnx/onnx-runner-factory.js';
import type { InferenceRunner, RunRequest } from '../../../../src/runtime/runner.js';
import { CRASH_WORKER, fixtureOptions } from '../runtime-fixtures.js';

// The scripted worker speaks the instance protocol without onnxruntime and exits on demand.
const factory = createOnnxRunnerFactory({ workerScript: CRASH_WORKER });
const open: InferenceRunner[] = [];
after(() => Promise.all(open.map((runner) => runner.close())));

async function start(model: string, instanceCount: number, warnings: string[] = []): Promise<InferenceRunner> {
  const runner = await factory.create(fixtureOptions(model, { instanceCount }), (m) => warnings.push(m));
  open.push(runner);
  return runner;
}

function request(name: 'x' | 'crash', value: number): RunRequest {
  return { inputs: [{ name, datatype: 'FP32', shape: [1, 1], data: new Float32Array([value]) }], outputNames: [name] };
}

const executionError = (error: unknown): boolean => {
  assert.ok(error instanceof ServingError);
  assert.equal(error.code, 'LS_ERR_RUNTIME_EXECUTION');
  assert.match(error.message, /model 'echo' execution failed: instance exited unexpectedly with code 3/);
  return true;
};

test('an instance that dies mid-run fails that run with an execution error and is restarted', async () => {
  const warnings: string[] = [];
  const runner = await start('echo', 1, warnings);
  await assert.rejects(runner.run(request('crash', 1)), executionError);
  const next = await runner.run(request('x', 2));
  assert.deepEqual(next.outputs[0]?.data, new Float32Array([2]));
  assert.equal(next.instance, 0);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /instance 0 of model 'echo'.*exited unexpectedly/);
});

test('runs queued behind a dying instance are served by its replacement', async () => {
  const runner = await start('echo', 1);
  const crash = runner.run(request('crash', 1));
  const queued = [runner.run(request('x', 2)), runner.run(request('x', 3))];
  await assert.rejects(crash, executionError);
  const results = await Promise.all(queued);
  assert.deepEqual(results.map((r) => (r.outputs[0]?.data as Float32Array)[0]), [2, 3]);
  assert.equal(runner.idleInstances(), 1);
});

test('a dead instance does not take the others down', async () => {
  const runner = await start('echo', 2);
  const [crash, survivor] = [runner.run(request('crash', 1)), runner.run(request('x', 2))];
  await assert.rejects(crash, executionError);
  assert.deepEqual((await survivor).outputs[0]?.data, new Float32Array([2]));
  await runner.whenIdle();
});

test('when a dead instance cannot be restarted, queued and later runs reject and whenIdle does not hang', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'layerscope-runtime-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const modelPath = join(dir, 'model.onnx');
  await writeFile(modelPath, 'loads fine');
  const warnings: string[] = [];
  const runner = await factory.create(fixtureOptions('echo', { modelPath }), (m) => warnings.push(m));
  open.push(runner);
  await writeFile(modelPath, 'fail-load'); // the restart will read this
  const crash = runner.run(request('crash', 1));
  const queued = runner.run(request('x', 2));
  await assert.rejects(crash, executionError);
  await assert.rejects(queued, /no instance is running/);
  await runner.whenIdle();
  assert.equal(runner.idleInstances(), 0);
  await assert.rejects(runner.run(request('x', 3)), /no instance is running/);
  assert.match(warnings.join('\n'), /instance 0 of model 'echo' failed to restart: .*scripted load failure/);
});

test('when one instance fails to load, creation rejects with its error and the others are closed', async () => {
  await assert.rejects(factory.create(fixtureOptions('fail-load-odd', { instanceCount: 2 })), (error: unknown) => {
    assert.ok(error instanceof ServingError);
    assert.equal(error.code, 'LS_ERR_MODEL_LOAD_FAILED');
    assert.match(error.message, /scripted load failure/);
    return true;
  });
});

test('an instance count below one is refused before any worker starts', async () => {
  await assert.rejects(factory.create(fixtureOptions('echo', { instanceCount: 0 })), /instanceCount must be an integer ≥ 1/);
});
