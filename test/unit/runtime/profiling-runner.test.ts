// The runtime side of per-layer latency: a runner started with `profiling` (real onnxruntime).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServingError } from '../../../src/errors/serving-error.js';
import { createOnnxRunnerFactory } from '../../../src/runtime/onnx/onnx-runner-factory.js';
import type { InferenceRunner, RunnerOptions, RunRequest } from '../../../src/runtime/runner.js';
import { MODELS_DIR } from '../../helpers/paths.js';
import { fixtureOptions } from './runtime-fixtures.js';

const factory = createOnnxRunnerFactory();
const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
});

function options(dir: string | undefined, overrides: Partial<RunnerOptions> = {}): RunnerOptions {
  return fixtureOptions('digits-cnn', {
    modelPath: join(MODELS_DIR, 'digits-cnn', '1', 'model.onnx'),
    ...(dir !== undefined ? { profiling: { dir } } : {}),
    ...overrides,
  });
}

async function start(profiled = true, overrides: Partial<RunnerOptions> = {}): Promise<{ runner: InferenceRunner; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'layerscope-profiling-test-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const runner = await factory.create(options(profiled ? dir : undefined, overrides));
  cleanup.push(() => runner.close());
  return { runner, dir };
}

function request(rows: number): RunRequest {
  return { inputs: [{ name: 'input', datatype: 'FP32', shape: [rows, 1, 8, 8], data: new Float32Array(rows * 64).fill(3) }], outputNames: ['logits'] };
}

test('a profiling runner returns one forward pass per run, warm-up excluded, window after window', async () => {
  const { runner, dir } = await start();
  assert.ok(runner.endProfile);
  for (const runs of [3, 2]) {
    for (let i = 0; i < runs; i++) assert.deepEqual((await runner.run(request(4))).outputs[0]?.shape, [4, 10]);
    const trace = await runner.endProfile();
    assert.equal(trace.runs.length, runs);
    for (const run of trace.runs) {
      assert.equal(run.nodes.length, 8);
      assert.ok(run.executeUs > 0);
      assert.ok(run.nodes.every((n) => n.opType !== '' && n.durationUs >= 0));
    }
    const files = await readdir(dir);
    assert.equal(files.length, 1, "only the next window's session file remains");
  }
});

test('ending a window with no run returns an empty trace', async () => {
  const { runner } = await start();
  assert.deepEqual(await runner.endProfile?.(), { runs: [] });
});

test('closing a profiling runner leaves no profile file behind', async () => {
  const { runner, dir } = await start();
  await runner.run(request(1));
  await runner.close();
  assert.deepEqual(await readdir(dir), []);
});

test('rejects endProfile on a runner started without profiling', async () => {
  const { runner } = await start(false);
  await assert.rejects(runner.endProfile?.() ?? Promise.reject(new Error('no endProfile')), (err: unknown) => {
    assert.ok(err instanceof ServingError);
    assert.equal(err.code, 'LS_ERR_RUNTIME_EXECUTION');
    assert.match(err.message, /profiling and exactly one instance/);
    return true;
  });
});

test('rejects endProfile on a profiling runner with more than one instance', async () => {
  const { runner } = await start(true, { instanceCount: 2 });
  await assert.rejects(runner.endProfile?.() ?? Promise.reject(new Error('no endProfile')), /exactly one instance/);
});
