import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../../src/onnx/graph-reader.js';
import { groupLayers, layerOfNode, stripProfileSuffixes } from '../../../src/onnx/layers.js';
import { layerTree, treeDepth } from '../../../src/onnx/layer-tree.js';
import { onnxFixtureBytes } from './fixtures.js';

const mlp = readModel(onnxFixtureBytes('mlp.onnx'));
const nested = readModel(onnxFixtureBytes('nested.onnx'));
const unnamed = readModel(onnxFixtureBytes('unnamed.onnx'));

test('names the layer of a node by the first depth segments of its module path', () => {
  const name = '/encoder/layers.0/self_attn/q_proj/MatMul';
  assert.equal(layerOfNode(name, 1), 'encoder');
  assert.equal(layerOfNode(name, 2), 'encoder/layers.0');
  assert.equal(layerOfNode(name, 3), 'encoder/layers.0/self_attn');
  assert.equal(layerOfNode('/conv1/Conv', 1), 'conv1');
  assert.equal(layerOfNode('/block1/bn/BatchNormalization', 2), 'block1/bn');
});

test('uses the whole module path when the depth exceeds it', () => {
  assert.equal(layerOfNode('/conv1/Conv', 3), 'conv1');
  assert.equal(layerOfNode('/encoder/layers.0/Add', 5), 'encoder/layers.0');
});

test('makes a node without a module path its own layer', () => {
  assert.equal(layerOfNode('Gemm_3', 1), 'Gemm_3');
  assert.equal(layerOfNode('/Gemm', 2), 'Gemm');
  assert.equal(layerOfNode('', 1), '');
});

test('ignores the suffixes and prefixes onnxruntime adds to profiled node names', () => {
  assert.equal(layerOfNode('/fc1/MatMul_kernel_time', 1), 'fc1');
  assert.equal(layerOfNode('Gemm_3_kernel_time', 1), 'Gemm_3');
  assert.equal(layerOfNode('Gemm_3_fence_before', 1), 'Gemm_3');
  assert.equal(layerOfNode('Gemm_3_fence_after', 1), 'Gemm_3');
  assert.equal(layerOfNode('Gemm_3_token_12_kernel_time', 1), 'Gemm_3');
  assert.equal(layerOfNode('fused /classifier/fc1/Gemm_kernel_time', 2), 'classifier/fc1');
  assert.equal(stripProfileSuffixes('/embed/MatMul/MatMulScaleFusion/_kernel_time'), '/embed/MatMul/MatMulScaleFusion');
});

test('rejects a depth below 1', () => {
  assert.throws(() => layerOfNode('/a/B', 0), RangeError);
  assert.throws(() => groupLayers(mlp, 1.5), RangeError);
});

test('groups the nodes of a 2-layer MLP into its modules at depth 1', () => {
  const layers = groupLayers(mlp, 1);
  assert.deepEqual(
    layers.map((l) => [
      l.name,
      l.kind,
      l.nodes,
      l.opTypes,
      l.outputTensor,
      l.outputDatatype,
      l.parameterCount,
      l.weightBytes,
    ]),
    [
      ['fc1', 'module', ['/fc1/MatMul', '/fc1/Add'], ['MatMul', 'Add'], '/fc1/Add_output_0', 'FP32', 15, 60],
      ['relu', 'module', ['/relu/Relu'], ['Relu'], '/relu/Relu_output_0', 'FP32', 0, 0],
      ['fc2', 'module', ['/fc2/MatMul', '/fc2/Add'], ['MatMul', 'Add'], 'y', 'FP32', 8, 32],
    ],
  );
});

test('groups nested modules at depths 1, 2 and 3', () => {
  const names = (depth: number): [string, string | null][] =>
    groupLayers(nested, depth).map((l) => [l.name, l.outputTensor]);
  assert.deepEqual(names(1), [
    ['encoder', '/encoder/layers.1/Add_output_0'],
    ['head', 'y'],
  ]);
  assert.deepEqual(names(2), [
    ['encoder/layers.0', '/encoder/layers.0/act/Relu_output_0'],
    ['encoder/layers.1', '/encoder/layers.1/Add_output_0'],
    ['head', 'y'],
  ]);
  assert.deepEqual(names(3), [
    ['encoder/layers.0/fc', '/encoder/layers.0/fc/MatMul_output_0'],
    ['encoder/layers.0/act', '/encoder/layers.0/act/Relu_output_0'],
    ['encoder/layers.1/fc', '/encoder/layers.1/fc/MatMul_output_0'],
    ['encoder/layers.1/act', '/encoder/layers.1/act/Relu_output_0'],
    ['encoder/layers.1', '/encoder/layers.1/Add_output_0'],
    ['head', 'y'],
  ]);
});

test('picks as output tensor the last output used outside the layer, not an internal one', () => {
  const [encoder] = groupLayers(nested, 1);
  // layers.1/act feeds only the residual Add inside the encoder; the Add feeds the head.
  assert.equal(encoder?.outputTensor, '/encoder/layers.1/Add_output_0');
  assert.deepEqual(encoder?.nodeIndices, [0, 1, 2, 3, 4]);
  assert.equal(encoder?.parameterCount, 8);
});

test('gives each node without a module path its own layer, unnamed ones named opType_index', () => {
  const layers = groupLayers(unnamed, 1);
  assert.deepEqual(
    layers.map((l) => [l.name, l.kind, l.outputTensor, l.outputDatatype, l.parameterCount]),
    [
      ['Gemm_0', 'node', 'gemm_out', 'FP32', 8],
      ['Relu_1', 'node', 'relu_out', 'FP32', 0],
      ['Sigmoid', 'node', 'y', 'FP32', 0],
      ['Shape_3', 'node', 'x_shape', 'INT64', 0],
    ],
  );
});

test('builds the module tree with node and parameter counts per subtree', () => {
  const tree = layerTree(nested);
  const flat: [string, number, number, number][] = [];
  const walk = (n: typeof tree): void => {
    flat.push([n.path, n.nodeCount, n.parameterCount, n.weightBytes]);
    n.children.forEach(walk);
  };
  walk(tree);
  assert.deepEqual(flat, [
    ['', 6, 10, 40],
    ['encoder', 5, 8, 32],
    ['encoder/layers.0', 2, 4, 16],
    ['encoder/layers.0/fc', 1, 4, 16],
    ['encoder/layers.0/act', 1, 0, 0],
    ['encoder/layers.1', 3, 4, 16],
    ['encoder/layers.1/fc', 1, 4, 16],
    ['encoder/layers.1/act', 1, 0, 0],
    ['head', 1, 2, 8],
  ]);
  assert.equal(treeDepth(tree), 3);
});

test('counts nodes without a module path only at the root of the tree', () => {
  const tree = layerTree(unnamed);
  assert.equal(tree.nodeCount, 4);
  assert.equal(tree.parameterCount, 8);
  assert.deepEqual(tree.children, []);
});
