import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProfileTrace, takeProfileTrace } from '../../../../src/runtime/worker/profile-trace.js';
import { fixtureProfileJson } from './fakes.js';

test('groups a real onnxruntime profile into forward passes with their kernels in execution order', () => {
  const trace = parseProfileTrace(fixtureProfileJson('digits-cnn'));
  assert.equal(trace.runs.length, 2);
  const [, measured] = trace.runs;
  assert.ok(measured);
  assert.deepEqual(
    measured.nodes.map((n) => [n.name, n.opType]),
    [
      ['/preprocess/Div_kernel_time', 'Div'],
      ['/block1/relu/Relu_output_0_nchwc_kernel_time', 'Conv'],
      ['/block2/relu/Relu_output_0_nchwc_kernel_time', 'Conv'],
      ['/block2/pool/MaxPool_output_0_nchwc_kernel_time', 'MaxPool'],
      ['ReorderOutput_kernel_time', 'ReorderOutput'],
      ['/classifier/flatten/Flatten_kernel_time', 'Flatten'],
      ['fused /classifier/fc1/Gemm_kernel_time', 'FusedGemm'],
      ['/head/Gemm_kernel_time', 'Gemm'],
    ],
  );
  const kernelUs = measured.nodes.reduce((sum, n) => sum + n.durationUs, 0);
  assert.ok(measured.executeUs > 0 && measured.runUs >= measured.executeUs, 'model_run holds the executor');
  assert.ok(kernelUs > 0 && kernelUs <= measured.executeUs, 'kernels run inside the executor');
});

test('leaves out the warm-up runs it is told to skip', () => {
  const all = parseProfileTrace(fixtureProfileJson('digits-transformer'));
  const measured = parseProfileTrace(fixtureProfileJson('digits-transformer'), 1);
  assert.equal(all.runs.length, 2);
  assert.deepEqual(measured.runs, all.runs.slice(1));
  assert.equal(measured.runs[0]?.nodes.length, 60);
});

test('accepts the {traceEvents} form and ignores events without kernel time', () => {
  const events = [
    { cat: 'Session', name: 'model_run', ts: 100, dur: 50 },
    { cat: 'Session', name: 'SequentialExecutor::Execute', ts: 102, dur: 45 },
    { cat: 'Node', name: '/a/MatMul_fence_before', ts: 103, dur: 0, args: { op_name: 'MatMul' } },
    { cat: 'Node', name: '/a/MatMul_kernel_time', ts: 104, dur: 20, args: { op_name: 'MatMul' } },
    { cat: 'Node', name: '/b/Relu_kernel_time', ts: 125, dur: 'x', args: { op_name: 'Relu' } },
    { cat: 'Node', name: '/late/Relu_kernel_time', ts: 400, dur: 5, args: { op_name: 'Relu' } },
    'not an event',
  ];
  assert.deepEqual(parseProfileTrace({ traceEvents: events }), {
    runs: [{ runUs: 50, executeUs: 45, nodes: [{ name: '/a/MatMul_kernel_time', opType: 'MatMul', durationUs: 20 }] }],
  });
});

test('rejects a profile that is not a trace event array', () => {
  assert.throws(() => parseProfileTrace({ events: [] }), /not a trace event array/);
});

test('reads the file a session wrote under its prefix and deletes it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'layerscope-trace-test-'));
  try {
    await writeFile(join(dir, 'profile-1-2_2026-01-01_00-00-00.json'), JSON.stringify(fixtureProfileJson('digits-cnn')));
    await writeFile(join(dir, 'profile-1-3_2026-01-01_00-00-01.json'), '[]');
    const trace = await takeProfileTrace(join(dir, 'profile-1-2'), 1);
    assert.equal(trace.runs.length, 1);
    assert.deepEqual(await readdir(dir), ['profile-1-3_2026-01-01_00-00-01.json'], "only that session's file is gone");
    await assert.rejects(takeProfileTrace(join(dir, 'profile-1-2'), 0), /wrote no profile file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
