import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLayerPlan, OTHER_LAYER, UNATTRIBUTED_LAYER } from '../../../../src/observe/layers/layer-plan.js';
import { shippedGraph } from './fakes.js';

const DEFAULTS = { depth: 1, max_layers: 32 } as const;

test('observes the top-level layers by default and leaves glue nodes unobserved', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-transformer'), DEFAULTS);
  assert.deepEqual([...plan.observed], ['preprocess', 'embed', 'encoder', 'head']);
  assert.deepEqual(
    plan.layers.filter((l) => !l.observed).map((l) => l.name),
    ['Add', 'ReduceMean'],
  );
  const encoder = plan.layers.find((l) => l.name === 'encoder');
  assert.equal(encoder?.nodes, 83);
  assert.ok(encoder?.opTypes.includes('LayerNormalization'));
  assert.equal(plan.labelOf('encoder'), 'encoder');
  assert.equal(plan.labelOf('ReduceMean'), OTHER_LAYER);
  assert.equal(plan.labelOf(UNATTRIBUTED_LAYER), OTHER_LAYER);
});

test('observes the layers observe.layers names, at most max_layers, and reports patterns that match nothing', async () => {
  const graph = await shippedGraph('digits-transformer');
  const plan = createLayerPlan(graph, { depth: 2, max_layers: 2, layers: ['encoder/layers.*', 'head', 'decoder/**'] });
  assert.deepEqual([...plan.observed], ['encoder/layers.0', 'encoder/layers.1']);
  assert.deepEqual(plan.unmatched, ['decoder/**']);
});

test('caps the default selection at max_layers', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-cnn'), { depth: 1, max_layers: 3 });
  assert.equal(plan.observed.size, 3);
  assert.ok(plan.observed.has('preprocess') && plan.observed.has('head'), 'first and last kept');
});

test('attributes a fused kernel named after its output tensor to the layer of its first node', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-cnn'), { depth: 2, max_layers: 32 });
  // Conv+BatchNorm+Relu rewritten to NCHWc is named after the Relu's output; its first node is the Conv.
  assert.equal(plan.layerOf('/block1/relu/Relu_output_0_nchwc_kernel_time', 'Conv'), 'block1/conv');
  assert.equal(plan.layerOf('/block2/relu/Relu_output_0_nchwc_kernel_time', 'Conv'), 'block2/conv');
  assert.equal(plan.layerOf('/block2/pool/MaxPool_output_0_nchwc_kernel_time', 'MaxPool'), 'block2/pool');
  // Gemm+Relu fused is named after its first node.
  assert.equal(plan.layerOf('fused /classifier/fc1/Gemm_kernel_time', 'FusedGemm'), 'classifier/fc1');
  assert.equal(plan.layerOf('/head/Gemm_kernel_time', 'Gemm'), 'head');
  assert.equal(plan.layerOf('ReorderOutput_kernel_time', 'ReorderOutput'), UNATTRIBUTED_LAYER);
});

test('attributes kernels of the transformer, MatMul+Scale fusion included', async () => {
  const plan = createLayerPlan(await shippedGraph('digits-transformer'), { depth: 3, max_layers: 32 });
  assert.equal(plan.layerOf('/embed/MatMul/MatMulScaleFusion/_kernel_time', 'FusedMatMul'), 'embed');
  assert.equal(plan.layerOf('/encoder/layers.1/self_attn/MatMul/MatMulScaleFusion/_kernel_time', 'FusedMatMul'), 'encoder/layers.1/self_attn');
  assert.equal(plan.layerOf('/encoder/layers.0/norm1/LayerNormalization_kernel_time', 'LayerNormalization'), 'encoder/layers.0/norm1');
  assert.equal(plan.layerOf('BiasGelu_token_1_kernel_time', 'BiasGelu'), UNATTRIBUTED_LAYER);
});

test('rejects a depth below 1', async () => {
  const graph = await shippedGraph('digits-cnn');
  assert.throws(() => createLayerPlan(graph, { depth: 0, max_layers: 32 }), RangeError);
});
