import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readModel } from '../../../src/onnx/graph-reader.js';
import { groupLayers } from '../../../src/onnx/layers.js';
import {
  compileLayerPattern,
  defaultObservedLayers,
  matchLayers,
  unmatchedPatterns,
} from '../../../src/onnx/layer-select.js';
import { onnxFixtureBytes } from './fixtures.js';

const mlp = readModel(onnxFixtureBytes('mlp.onnx'));
const nested = readModel(onnxFixtureBytes('nested.onnx'));
const unnamed = readModel(onnxFixtureBytes('unnamed.onnx'));
const names = (layers: readonly { name: string }[]): string[] => layers.map((l) => l.name);

test('observes the top-level modules by default', () => {
  assert.deepEqual(names(defaultObservedLayers(mlp)), ['fc1', 'relu', 'fc2']);
  assert.deepEqual(names(defaultObservedLayers(nested)), ['encoder', 'head']);
  assert.deepEqual(names(defaultObservedLayers(nested, { depth: 2 })), [
    'encoder/layers.0',
    'encoder/layers.1',
    'head',
  ]);
});

test('does not observe layers whose output is not a float tensor', () => {
  assert.deepEqual(names(defaultObservedLayers(unnamed)), ['Gemm_0', 'Relu_1', 'Sigmoid']);
});

test('spreads the default layers evenly through the graph when they exceed the cap', () => {
  assert.deepEqual(names(defaultObservedLayers(nested, { depth: 3, cap: 2 })), ['encoder/layers.0/fc', 'head']);
  assert.deepEqual(names(defaultObservedLayers(nested, { depth: 3, cap: 3 })), [
    'encoder/layers.0/fc',
    'encoder/layers.1/act',
    'head',
  ]);
  assert.deepEqual(defaultObservedLayers(nested, { cap: 0 }), []);
});

test('matches layers by exact name and by globs', () => {
  const layers = groupLayers(nested, 3);
  assert.deepEqual(names(matchLayers(layers, ['head'])), ['head']);
  assert.deepEqual(names(matchLayers(layers, ['encoder/*/act'])), ['encoder/layers.0/act', 'encoder/layers.1/act']);
  assert.deepEqual(names(matchLayers(layers, ['encoder/*'])), ['encoder/layers.1']); // the residual Add
  assert.deepEqual(names(matchLayers(layers, ['encoder/**'])), [
    'encoder/layers.0/fc',
    'encoder/layers.0/act',
    'encoder/layers.1/fc',
    'encoder/layers.1/act',
    'encoder/layers.1',
  ]);
  assert.deepEqual(names(matchLayers(layers, ['**/fc', 'head'])), [
    'encoder/layers.0/fc',
    'encoder/layers.1/fc',
    'head',
  ]);
});

test('treats dots and other regex characters in patterns literally', () => {
  const match = compileLayerPattern('encoder/layers.*');
  assert.equal(match('encoder/layers.0'), true);
  assert.equal(match('encoder/layersX0'), false);
  assert.equal(compileLayerPattern('**/q_proj')('q_proj'), true);
  assert.equal(compileLayerPattern('a.b')('aXb'), false);
});

test('reports the patterns that match no layer', () => {
  const layers = groupLayers(nested, 2);
  assert.deepEqual(unmatchedPatterns(layers, ['head', 'encodr/*', 'encoder/layers.*']), ['encodr/*']);
});
