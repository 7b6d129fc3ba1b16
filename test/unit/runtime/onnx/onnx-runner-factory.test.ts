import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServingError } from '../../../../src/errors/serving-error.js';
import { createOnnxRunnerFactory } from '../../../../src/runtime/onnx/onnx-runner-factory.js';
import type { InferenceRunner, RunnerOptions } from '../../../../src/runtime/runner.js';
import type { Tensor } from '../../../../src/types/tensor.js';
import { fixtureOptions, SLOW_MATMUL_WIDTH } from '../runtime-fixtures.js';

const factory = createOnnxRunnerFactory();
const open: InferenceRunner[] = [];
after(() => Promise.all(open.map((runner) => runner.close())));

async function start(options: RunnerOptions, onWarning?: (message: string) => void): Promise<InferenceRunner> {
  const runner = await factory.create(options, onWarning);
  open.push(runner);
  return runner;
}

function fp32(name: string, shape: number[], fill: (i: number) => number): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  return { name, datatype: 'FP32', shape, data: Float32Array.from({ length: count }, (_, i) => fill(i)) };
}

function isCode(code: string, pattern?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ServingError, `expected a ServingError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

test('the add model sums a batch of 3 rows', async () => {
  const runner = await start(fixtureOptions('add'));
  assert.equal(runner.provider, 'cpu');
  assert.equal(runner.instanceCount, 1);
  assert.deepEqual(runner.inputs.map((t) => t.name), ['x', 'y']);
  assert.deepEqual(runner.outputs, [{ name: 'sum', datatype: 'FP32', shape: ['batch', 4] }]);
  const result = await runner.run({
    inputs: [fp32('x', [3, 4], (i) => i), fp32('y', [3, 4], (i) => 100 * i)],
    outputNames: ['sum'],
  });
  const sum = result.outputs[0];
  assert.equal(sum?.name, 'sum');
  assert.deepEqual(sum?.shape, [3, 4]);
  assert.deepEqual(sum?.data, Float32Array.from({ length: 12 }, (_, i) => 101 * i));
  assert.equal(result.instance, 0);
  assert.ok(result.timings.inferNs > 0);
});

/** Nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

test('an instance started with a niceness runs its thread at that nice value; the event loop keeps its own', { skip: process.platform !== 'linux' }, async () => {
  const niced = (): number => threadNiceValues().filter((nice) => nice === 7).length;
  const before = niced();
  const runner = await start(fixtureOptions('add', { niceness: 7 }));
  assert.ok(niced() > before, `a thread at nice 7 appears (threads: ${threadNiceValues().join(',')})`);
  const main = readFileSync('/proc/self/stat', 'utf8');
  assert.equal(Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16]), 0, 'the main thread is not lowered');
  const result = await runner.run({ inputs: [fp32('x', [1, 4], (i) => i), fp32('y', [1, 4], () => 1)], outputNames: ['sum'] });
  assert.deepEqual(result.outputs[0]?.data, Float32Array.from([1, 2, 3, 4]));
});

test('input buffers are transferred to the instance, not copied', async () => {
  const runner = await start(fixtureOptions('add'));
  const x = fp32('x', [1, 4], () => 1);
  const y = fp32('y', [1, 4], () => 2);
  const result = await runner.run({ inputs: [x, y], outputNames: ['sum'] });
  assert.equal((x.data as Float32Array).byteLength, 0, 'the caller’s array is detached');
  assert.deepEqual(result.outputs[0]?.data, new Float32Array([3, 3, 3, 3]));
});

test('an input that views part of a larger buffer is copied and its buffer left intact', async () => {
  const runner = await start(fixtureOptions('add'));
  const body = new Float32Array(16).fill(5);
  const x: Tensor = { name: 'x', datatype: 'FP32', shape: [1, 4], data: body.subarray(4, 8) };
  const y: Tensor = { name: 'y', datatype: 'FP32', shape: [1, 4], data: body.subarray(8, 12) };
  const result = await runner.run({ inputs: [x, y], outputNames: ['sum'] });
  assert.equal(body.byteLength, 64);
  assert.deepEqual(result.outputs[0]?.data, new Float32Array([10, 10, 10, 10]));
});

test('BYTES, BOOL, INT64 and FP16 tensors cross the worker boundary unchanged', async () => {
  const runner = await start(fixtureOptions('identity-types'));
  const utf8 = new TextEncoder();
  const result = await runner.run({
    inputs: [
      { name: 's_in', datatype: 'BYTES', shape: [1, 2], data: [utf8.encode('ä'), utf8.encode('b')] },
      { name: 'b_in', datatype: 'BOOL', shape: [1, 2], data: new Uint8Array([0, 1]) },
      { name: 'i_in', datatype: 'INT64', shape: [1, 2], data: new BigInt64Array([9007199254740993n, -1n]) },
      { name: 'h_in', datatype: 'FP16', shape: [1, 2], data: new Uint16Array([0x3c00, 0x7c00]) },
    ],
    outputNames: ['i_out', 's_out', 'b_out', 'h_out'],
  });
  const [i, s, b, h] = result.outputs;
  assert.deepEqual(i?.data, new BigInt64Array([9007199254740993n, -1n]));
  assert.deepEqual((s?.data as Uint8Array[]).map((item) => new TextDecoder().decode(item)), ['ä', 'b']);
  assert.equal(s?.datatype, 'BYTES');
  assert.deepEqual(b?.data, new Uint8Array([0, 1]));
  assert.deepEqual(h?.data, new Uint16Array([0x3c00, 0x7c00]));
});

test('a BF16 input rejects with the unsupported-type code from inside the worker', async () => {
  const runner = await start(fixtureOptions('add'));
  const bf16: Tensor = { name: 'x', datatype: 'BF16', shape: [1, 4], data: new Uint16Array(4) };
  await assert.rejects(runner.run({ inputs: [bf16], outputNames: ['sum'] }), isCode('LS_ERR_RUNTIME_UNSUPPORTED_TYPE'));
});

test('an input of the wrong shape rejects as an execution error and the instance keeps working', async () => {
  const runner = await start(fixtureOptions('add'));
  await assert.rejects(
    runner.run({ inputs: [fp32('x', [2, 3], () => 1), fp32('y', [2, 3], () => 1)], outputNames: ['sum'] }),
    isCode('LS_ERR_RUNTIME_EXECUTION', /model 'add' execution failed: .*dimension/i),
  );
  assert.equal(runner.idleInstances(), 1);
  const ok = await runner.run({ inputs: [fp32('x', [1, 4], () => 1), fp32('y', [1, 4], () => 1)], outputNames: ['sum'] });
  assert.deepEqual(ok.outputs[0]?.data, new Float32Array([2, 2, 2, 2]));
});

test('runs beyond the free instances wait and complete in FIFO order', async () => {
  const runner = await start(fixtureOptions('add'));
  const done: number[] = [];
  const runs = [0, 1, 2, 3].map((k) =>
    runner
      .run({ inputs: [fp32('x', [1, 4], () => k), fp32('y', [1, 4], () => 0)], outputNames: ['sum'] })
      .then((result) => {
        done.push(k);
        return (result.outputs[0]?.data as Float32Array)[0];
      }),
  );
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
  assert.deepEqual(done, [0, 1, 2, 3]);
});

test('whenIdle resolves at once while an instance is idle and otherwise when one frees up', async () => {
  const runner = await start(fixtureOptions('slow-matmul'));
  await runner.whenIdle();
  assert.equal(runner.idleInstances(), 1);
  const run = runner.run({ inputs: [fp32('x', [1, SLOW_MATMUL_WIDTH], () => 1)], outputNames: ['y'] });
  assert.equal(runner.idleInstances(), 0);
  let idle = false;
  const whenIdle = runner.whenIdle().then(() => (idle = true));
  await sleep(50);
  assert.equal(idle, false, 'not idle while the forward pass runs');
  await run;
  await whenIdle;
  assert.equal(runner.idleInstances(), 1);
});

test('a corrupt model fails to load with onnxruntime reason', async () => {
  await assert.rejects(
    factory.create(fixtureOptions('corrupt', { instanceCount: 2 })),
    isCode('LS_ERR_MODEL_LOAD_FAILED', /failed to load model 'corrupt': .*Protobuf parsing failed/),
  );
});

test('a missing model file fails to load naming the path', async () => {
  await assert.rejects(factory.create(fixtureOptions('no-such-model')), isCode('LS_ERR_MODEL_LOAD_FAILED', /no-such-model/));
});

test('cuda falls back to cpu with one warning naming both providers', async () => {
  const warnings: string[] = [];
  const runner = await start(fixtureOptions('add', { executionProviders: ['cuda', 'cpu'], instanceCount: 2 }), (m) =>
    warnings.push(m),
  );
  assert.equal(runner.provider, 'cpu');
  assert.equal(warnings.length, 1, 'reported once, not once per instance');
  assert.match(warnings[0] ?? '', /cuda/);
  assert.match(warnings[0] ?? '', /using execution provider 'cpu'/);
});

test('close waits for in-flight runs, is idempotent, and later runs are refused', async () => {
  const runner = await factory.create(fixtureOptions('slow-matmul'));
  const run = runner.run({ inputs: [fp32('x', [1, SLOW_MATMUL_WIDTH], () => 1)], outputNames: ['y'] });
  const closing = runner.close();
  await assert.rejects(runner.run({ inputs: [fp32('x', [1, SLOW_MATMUL_WIDTH], () => 1)], outputNames: ['y'] }), isCode('LS_ERR_SHUTTING_DOWN'));
  const result = await run;
  assert.deepEqual(result.outputs[0]?.shape, [1, SLOW_MATMUL_WIDTH]);
  await closing;
  await runner.close();
  await runner.whenIdle(); // never hangs after close
});
