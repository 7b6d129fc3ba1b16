import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { readModel } from '../../../src/onnx/graph-reader.js';
import { instrumentModel } from '../../../src/onnx/instrument.js';
import { defaultObservedLayers } from '../../../src/onnx/layer-select.js';
import { groupLayers } from '../../../src/onnx/layers.js';
import { MODELS_DIR } from '../../helpers/paths.js';
import { onnxFixtureBytes } from './fixtures.js';

const { onnx } = onnxProto;
const mlpBytes = onnxFixtureBytes('mlp.onnx');

async function run(model: Uint8Array, x: Float32Array, shape: number[]): Promise<Record<string, number[]>> {
  // logSeverityLevel 3: the fixture's initializer-listed-as-input warning is expected.
  const session = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  try {
    const result = await session.run({ x: new ort.Tensor('float32', x, shape) });
    return Object.fromEntries(Object.entries(result).map(([name, t]) => [name, Array.from(t.data as Float32Array)]));
  } finally {
    await session.release();
  }
}

// Two rows: [1,2,3,4] and [-1,0,0,0]. fc1 = x·W1 + b1, relu, y = relu·W2 + b2 (see make-fixtures.mjs).
const X = Float32Array.from([1, 2, 3, 4, -1, 0, 0, 0]);

test('exposes hidden tensors that onnxruntime returns with the right values', async () => {
  const instrumented = instrumentModel(mlpBytes, ['/fc1/Add_output_0', '/relu/Relu_output_0']);
  const outputs = await run(instrumented, X, [2, 4]);
  assert.deepEqual(Object.keys(outputs).sort(), ['/fc1/Add_output_0', '/relu/Relu_output_0', 'y']);
  assert.deepEqual(outputs['/fc1/Add_output_0'], [5, 5, 6.5, -1, -1, 1.5]);
  assert.deepEqual(outputs['/relu/Relu_output_0'], [5, 5, 6.5, 0, 0, 1.5]);
  assert.deepEqual(outputs['y'], [52.75, 68.75, 7.75, 8.75]);
});

test('leaves the model outputs unchanged and first, and the input bytes untouched', async () => {
  const before = Uint8Array.from(mlpBytes);
  const instrumented = instrumentModel(mlpBytes, ['/fc1/MatMul_output_0']);
  assert.deepEqual(Uint8Array.from(mlpBytes), before);
  assert.deepEqual(
    readModel(instrumented).outputs.map((o) => o.name),
    ['y', '/fc1/MatMul_output_0'],
  );
  assert.deepEqual((await run(instrumented, X, [2, 4]))['y'], (await run(mlpBytes, X, [2, 4]))['y']);
});

test('keeps every node and initializer when read back', () => {
  const original = readModel(mlpBytes);
  const copy = readModel(instrumentModel(mlpBytes, ['/relu/Relu_output_0']));
  assert.deepEqual(copy.nodes, original.nodes);
  assert.deepEqual(copy.initializers, original.initializers);
  assert.equal(copy.weightBytes, original.weightBytes);
});

test('declares an element type only where the model value_info gives one', () => {
  const copy = onnx.ModelProto.decode(instrumentModel(mlpBytes, ['/relu/Relu_output_0', '/fc1/Add_output_0']));
  const added = (copy.graph?.output ?? []).slice(1);
  assert.equal(added[0]?.name, '/relu/Relu_output_0');
  assert.equal(added[0]?.type?.tensorType?.elemType, onnx.TensorProto.DataType.FLOAT);
  assert.equal(added[1]?.name, '/fc1/Add_output_0');
  assert.equal(added[1]?.type, null);
});

test('skips tensors that are already outputs and repeated names', () => {
  const copy = readModel(instrumentModel(mlpBytes, ['y', '/fc1/Add_output_0', '/fc1/Add_output_0']));
  assert.deepEqual(
    copy.outputs.map((o) => o.name),
    ['y', '/fc1/Add_output_0'],
  );
});

test('rejects a tensor name that is not in the graph, naming it', () => {
  assert.throws(
    () => instrumentModel(mlpBytes, ['/fc1/Add_output_0', '/fc3/Add_output_0']),
    /cannot expose '\/fc3\/Add_output_0': not a tensor of the model's main graph/,
  );
});

test('rejects bytes that are not an ONNX model', () => {
  assert.throws(() => instrumentModel(onnxFixtureBytes('corrupt.onnx'), ['x']), /not a valid ONNX model/);
});

test('keeps model fields the bundled onnx.proto schema does not know', async () => {
  // Field 50, varint 1: unknown to onnx-proto (protobufjs would drop it on re-encoding).
  const unknownField = Uint8Array.from([0x90, 0x03, 0x01]);
  const withUnknown = new Uint8Array(mlpBytes.length + unknownField.length);
  withUnknown.set(mlpBytes);
  withUnknown.set(unknownField, mlpBytes.length);
  const instrumented = instrumentModel(withUnknown, ['/relu/Relu_output_0']);
  assert.deepEqual(instrumented.subarray(instrumented.length - 3), unknownField);
  assert.deepEqual((await run(instrumented, X, [2, 4]))['/relu/Relu_output_0'], [5, 5, 6.5, 0, 0, 1.5]);
});

test('exposes the output of every layer of a nested model at depth 2', async () => {
  const bytes = onnxFixtureBytes('nested.onnx');
  const layers = groupLayers(readModel(bytes), 2);
  const tensors = layers.map((l) => l.outputTensor ?? '');
  const outputs = await run(instrumentModel(bytes, tensors), Float32Array.from([1, -2]), [1, 2]);
  // layers.0: relu(x·I) = [1, 0]; layers.1: relu([1,0]·2I) + [1,0] = [3, 0]; head: 3
  assert.deepEqual(outputs['/encoder/layers.0/act/Relu_output_0'], [1, 0]);
  assert.deepEqual(outputs['/encoder/layers.1/Add_output_0'], [3, 0]);
  assert.deepEqual(outputs['y'], [3]);
});

const shippedCnn = join(MODELS_DIR, 'digits-cnn', '1', 'model.onnx');

test(
  'exposes the default layers of the shipped digits-cnn model',
  { skip: existsSync(shippedCnn) ? false : 'shipped models not built yet' },
  async () => {
    const bytes = readFileSync(shippedCnn);
    const graph = readModel(bytes);
    const layers = defaultObservedLayers(graph);
    const session = await ort.InferenceSession.create(
      instrumentModel(
        bytes,
        layers.map((l) => l.outputTensor ?? ''),
      ),
    );
    try {
      const input = graph.inputs[0];
      assert.ok(input);
      const dims = (input.shape ?? []).map((d) => (typeof d === 'number' ? d : 2));
      const size = dims.reduce((a, b) => a * b, 1);
      const result = await session.run({
        [input.name]: new ort.Tensor('float32', new Float32Array(size).fill(0.5), dims),
      });
      for (const layer of layers) assert.ok(result[layer.outputTensor ?? ''], `missing output of layer ${layer.name}`);
    } finally {
      await session.release();
    }
  },
);
