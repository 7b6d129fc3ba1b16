import { test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import { readModel, readModelFile, tensorDatatype, OnnxModelError } from '../../../src/onnx/graph-reader.js';
import { onnxFixture, onnxFixtureBytes } from './fixtures.js';

test('reads the IR version, opsets, producer, inputs and outputs of a model', () => {
  const graph = readModel(onnxFixtureBytes('mlp.onnx'));
  assert.equal(graph.irVersion, 8);
  assert.deepEqual(graph.opsets, [{ domain: '', version: 17 }]);
  assert.equal(graph.producerName, 'layerscope-fixtures');
  assert.equal(graph.producerVersion, '1');
  assert.deepEqual(graph.inputs, [{ name: 'x', datatype: 'FP32', onnxType: 'FLOAT', shape: ['batch', 4] }]);
  assert.deepEqual(graph.outputs, [{ name: 'y', datatype: 'FP32', onnxType: 'FLOAT', shape: ['batch', 2] }]);
});

test('leaves initializers that are also listed as graph inputs out of the inputs', () => {
  const graph = readModel(onnxFixtureBytes('mlp.onnx'));
  assert.deepEqual(
    graph.inputs.map((i) => i.name),
    ['x'],
  );
});

test('counts parameters and weight bytes exactly for raw_data and float_data initializers', () => {
  const graph = readModel(onnxFixtureBytes('mlp.onnx'));
  assert.equal(graph.parameterCount, 12 + 3 + 6 + 2);
  assert.equal(graph.weightBytes, 4 * 23);
  assert.deepEqual(
    graph.initializers.map((i) => [i.name, i.dims, i.elementCount, i.byteSize, i.datatype]),
    [
      ['fc1.weight', [4, 3], 12, 48, 'FP32'],
      ['fc1.bias', [3], 3, 12, 'FP32'],
      ['fc2.weight', [3, 2], 6, 24, 'FP32'],
      ['fc2.bias', [2], 2, 8, 'FP32'],
    ],
  );
});

test('counts bytes of typed fields by their declared type and of external data by its declared length', () => {
  const graph = readModel(onnxFixtureBytes('storage.onnx'));
  const sizes = Object.fromEntries(graph.initializers.map((i) => [i.name, i.byteSize]));
  assert.deepEqual(sizes, {
    half: 6, // FP16 stored in int32_data: 2 bytes each
    longs: 16,
    doubles: 16,
    strings: 5,
    ext_declared: 4096, // declared length wins
    ext_undeclared: 64, // no length: what the dims need
  });
  assert.deepEqual(
    graph.initializers.filter((i) => i.external).map((i) => i.name),
    ['ext_declared', 'ext_undeclared'],
  );
  assert.equal(graph.parameterCount, 3 + 2 + 2 + 2 + 1024 + 16);
  assert.equal(graph.weightBytes, 6 + 16 + 16 + 5 + 4096 + 64);
});

test('reports symbolic dims by name and unknown dims as ?', () => {
  const graph = readModel(onnxFixtureBytes('storage.onnx'));
  assert.deepEqual(graph.inputs[0]?.shape, [1, '?', 'n']);
});

test('lists nodes in graph order with their op types, inputs and outputs', () => {
  const graph = readModel(onnxFixtureBytes('unnamed.onnx'));
  assert.deepEqual(graph.nodes, [
    { name: '', opType: 'Gemm', domain: '', inputs: ['x', 'W', 'b'], outputs: ['gemm_out'] },
    { name: 'Relu_1', opType: 'Relu', domain: '', inputs: ['gemm_out'], outputs: ['relu_out'] },
    { name: '/Sigmoid', opType: 'Sigmoid', domain: '', inputs: ['relu_out'], outputs: ['y'] },
    { name: '', opType: 'Shape', domain: '', inputs: ['x'], outputs: ['x_shape'] },
  ]);
});

test('knows the datatype of intermediate tensors, int64 shapes included', () => {
  const graph = readModel(onnxFixtureBytes('unnamed.onnx'));
  assert.equal(tensorDatatype(graph, 'gemm_out'), 'FP32');
  assert.equal(tensorDatatype(graph, 'x_shape'), 'INT64');
  assert.equal(tensorDatatype(graph, 'no such tensor'), null);
});

test('rejects a truncated model file with a message saying it is not a valid ONNX model', async () => {
  await assert.rejects(readModelFile(onnxFixture('corrupt.onnx')), (err: unknown) => {
    assert.ok(err instanceof OnnxModelError);
    assert.match(err.message, /corrupt\.onnx: not a valid ONNX model: protobuf decoding failed/);
    return true;
  });
});

test('rejects empty bytes and bytes that are not a ModelProto', () => {
  assert.throws(() => readModel(new Uint8Array(0)), /not a valid ONNX model: the file is empty/);
  assert.throws(() => readModel(new TextEncoder().encode('hello, this is text')), OnnxModelError);
});

test('rejects a missing model file naming its path', async () => {
  await assert.rejects(
    readModelFile(onnxFixture('missing.onnx')),
    /cannot read model file '.*missing\.onnx': no such file/,
  );
});

test('infers the datatype of a Cast output from its to attribute', () => {
  const { onnx } = onnxProto;
  const bytes = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      node: [
        { name: '/cast/Cast', opType: 'Cast', input: ['x'], output: ['c'], attribute: [{ name: 'to', type: 2, i: 7 }] },
      ],
      input: [{ name: 'x', type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }],
      output: [{ name: 'c' }],
    },
  }).finish();
  const graph = readModel(bytes);
  assert.equal(tensorDatatype(graph, 'c'), 'INT64');
  assert.deepEqual(graph.outputs, [{ name: 'c', datatype: null, onnxType: 'unknown', shape: null }]);
});
