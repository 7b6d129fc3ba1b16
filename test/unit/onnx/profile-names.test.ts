import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../../src/onnx/graph-reader.js';
import { createNodeLayerLookup, UNATTRIBUTED_LAYER } from '../../../src/onnx/profile-names.js';
import { onnxFixtureBytes } from './fixtures.js';

const nested = readModel(onnxFixtureBytes('nested.onnx'));

test('attributes profiled node names to layers, as onnxruntime decorates them', () => {
  const lookup = createNodeLayerLookup(nested, 2);
  assert.equal(lookup('/encoder/layers.0/fc/MatMul'), 'encoder/layers.0');
  assert.equal(lookup('/encoder/layers.0/fc/MatMul_kernel_time'), 'encoder/layers.0');
  assert.equal(lookup('/encoder/layers.1/Add_fence_before'), 'encoder/layers.1');
  assert.equal(lookup('fused /head/MatMul_kernel_time'), 'head');
});

test('attributes a fused node to the layer of the node it is named after', () => {
  const lookup = createNodeLayerLookup(nested, 2);
  assert.equal(lookup('/encoder/layers.1/fc/MatMul/MatMulScaleFusion/_kernel_time'), 'encoder/layers.1');
  assert.equal(lookup('/encoder/layers.0/act/Relu_output_0_nchwc_kernel_time'), 'encoder/layers.0');
  assert.equal(lookup('/encoder/layers.0/fc/MatMul_token_7_kernel_time'), 'encoder/layers.0');
});

test('maps names onnxruntime generated to the unattributed layer', () => {
  const lookup = createNodeLayerLookup(nested, 1);
  assert.equal(lookup('ReorderOutput_kernel_time'), UNATTRIBUTED_LAYER);
  assert.equal(lookup('BiasGelu_token_1_kernel_time'), UNATTRIBUTED_LAYER);
  assert.equal(lookup('/encoder/layers.0/fc/MatMul_kernel_time'), 'encoder');
});
