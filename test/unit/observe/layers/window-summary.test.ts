import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLayerPlan, UNATTRIBUTED_LAYER } from '../../../../src/observe/layers/layer-plan.js';
import { attributeRun, summarizeWindow } from '../../../../src/observe/layers/window-summary.js';
import type { ProfiledRun } from '../../../../src/runtime/runner.js';
import { fixtureRun, shippedGraph } from './fakes.js';

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

test('breaks a real digits-cnn forward pass down by layer; every kernel microsecond lands in a layer', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-cnn'), { depth: 1, max_layers: 32 });
  const run = fixtureRun('digits-cnn');
  const breakdown = attributeRun(plan, run);
  assert.deepEqual([...breakdown.layers.keys()], ['preprocess', 'block1', 'block2', 'classifier', 'head']);
  const us = (name: string): number => run.nodes.filter((n) => n.name.startsWith(name)).reduce((a, n) => a + n.durationUs, 0);
  // ReorderOutput ran right after block2's pool: it converts block2's NCHWc output back.
  assert.equal(breakdown.layers.get('block2'), us('/block2/') + us('ReorderOutput'));
  assert.equal(breakdown.kernelUs, sum(breakdown.layers.values()));
  assert.equal(breakdown.kernelUs, sum(run.nodes.map((n) => n.durationUs)));
  assert.equal(breakdown.executeUs, run.executeUs);
});

test('gives a generated fused kernel (BiasGelu) the layer of its first node in the transformer', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-transformer'), { depth: 3, max_layers: 32 });
  const breakdown = attributeRun(plan, fixtureRun('digits-transformer'));
  assert.ok(!breakdown.layers.has(UNATTRIBUTED_LAYER));
  const mlp = [...breakdown.layers.keys()].filter((l) => l.includes('/mlp'));
  assert.deepEqual(mlp, ['encoder/layers.0/mlp', 'encoder/layers.1/mlp']);
});

test('gives ReorderInput the layer of the kernel after it, and keeps a run with nothing attributable unattributed', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-cnn'), { depth: 1, max_layers: 32 });
  const node = (name: string, opType: string, durationUs: number) => ({ name, opType, durationUs });
  const run: ProfiledRun = {
    runUs: 100,
    executeUs: 90,
    nodes: [node('/preprocess/Div_kernel_time', 'Div', 10), node('ReorderInput_kernel_time', 'ReorderInput', 5), node('/block1/conv/Conv_kernel_time', 'Conv', 20)],
  };
  assert.deepEqual([...attributeRun(plan, run).layers], [['preprocess', 10], ['block1', 25]]);
  const generated: ProfiledRun = { runUs: 10, executeUs: 9, nodes: [node('ReorderOutput_kernel_time', 'ReorderOutput', 4)] };
  assert.deepEqual([...attributeRun(plan, generated).layers], [[UNATTRIBUTED_LAYER, 4]]);
});

test('summarizes a window: mean per forward pass, shares of the kernel time, median coverage', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-cnn'), { depth: 1, max_layers: 32 });
  const node = (name: string, durationUs: number) => ({ name, opType: 'Gemm', durationUs });
  const runs: ProfiledRun[] = [
    { runUs: 110, executeUs: 100, nodes: [node('/head/Gemm_kernel_time', 60), node('/classifier/fc1/Gemm_kernel_time', 20)] },
    { runUs: 220, executeUs: 200, nodes: [node('/head/Gemm_kernel_time', 100), node('/classifier/fc1/Gemm_kernel_time', 60)] },
    { runUs: 1100, executeUs: 1000, nodes: [node('/head/Gemm_kernel_time', 100), node('/classifier/fc1/Gemm_kernel_time', 20)] },
  ];
  const summary = summarizeWindow(plan, runs);
  assert.equal(summary.runs.length, 3);
  assert.deepEqual([...summary.meanUs], [['head', 260 / 3], ['classifier', 100 / 3]]);
  assert.deepEqual([...summary.shares], [['head', 260 / 360], ['classifier', 100 / 360]]);
  assert.equal(sum(summary.shares.values()), 1);
  assert.equal(summary.kernelUs, 120);
  assert.equal(summary.executeUs, 1300 / 3);
  assert.equal(summary.coverage, 0.8, 'median of 0.8, 0.8 and 0.12');
});

test('summarizes an empty window as zeros', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-cnn'), { depth: 1, max_layers: 32 });
  const summary = summarizeWindow(plan, []);
  assert.deepEqual([summary.kernelUs, summary.executeUs, summary.coverage, summary.shares.size], [0, 0, null, 0]);
});
