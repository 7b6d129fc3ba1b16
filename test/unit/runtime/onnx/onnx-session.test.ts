import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServingError } from '../../../../src/errors/serving-error.js';
import { closeSession, createSession, runSession } from '../../../../src/runtime/onnx/onnx-session.js';
import type { Tensor } from '../../../../src/types/tensor.js';
import { fixtureOptions } from '../runtime-fixtures.js';

const utf8 = new TextEncoder();

test('a session reports graph inputs and outputs with datatypes and symbolic dims', async () => {
  const loaded = await createSession(fixtureOptions('add'));
  try {
    assert.equal(loaded.provider, 'cpu');
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.inputs, [
      { name: 'x', datatype: 'FP32', shape: ['batch', 4] },
      { name: 'y', datatype: 'FP32', shape: ['batch', 4] },
    ]);
    assert.deepEqual(loaded.outputs, [{ name: 'sum', datatype: 'FP32', shape: ['batch', 4] }]);
  } finally {
    await closeSession(loaded.session);
  }
});

test('a session falls back from cuda to cpu with a warning naming both and the reason', async () => {
  const loaded = await createSession(fixtureOptions('add', { executionProviders: ['cuda', 'cpu'] }));
  try {
    assert.equal(loaded.provider, 'cpu');
    assert.equal(loaded.warnings.length, 1);
    assert.match(loaded.warnings[0] ?? '', /'cuda' failed to load model 'add': .+; using execution provider 'cpu'/);
  } finally {
    await closeSession(loaded.session);
  }
});

test('creating a session rejects a corrupt model with onnxruntime reason', async () => {
  await assert.rejects(createSession(fixtureOptions('corrupt')), /Protobuf parsing failed/);
});

test('BOOL, INT64, BYTES and FP16 tensors round-trip through onnxruntime unchanged', async () => {
  const loaded = await createSession(fixtureOptions('identity-types'));
  try {
    const inputs: Tensor[] = [
      { name: 'b_in', datatype: 'BOOL', shape: [1, 2], data: new Uint8Array([1, 0]) },
      { name: 'i_in', datatype: 'INT64', shape: [1, 2], data: new BigInt64Array([-(2n ** 40n), 7n]) },
      { name: 's_in', datatype: 'BYTES', shape: [1, 2], data: [utf8.encode('héllo'), utf8.encode('')] },
      { name: 'h_in', datatype: 'FP16', shape: [1, 2], data: new Uint16Array([0x3c00, 0xc000]) },
    ];
    const { outputs, timings } = await runSession(loaded.session, inputs, ['s_out', 'b_out', 'i_out', 'h_out']);
    assert.deepEqual(
      outputs.map((o) => [o.name, o.datatype, o.shape]),
      [
        ['s_out', 'BYTES', [1, 2]],
        ['b_out', 'BOOL', [1, 2]],
        ['i_out', 'INT64', [1, 2]],
        ['h_out', 'FP16', [1, 2]],
      ],
    );
    const [s, b, i, h] = outputs.map((o) => o.data);
    assert.deepEqual((s as Uint8Array[]).map((item) => new TextDecoder().decode(item)), ['héllo', '']);
    assert.deepEqual(b, new Uint8Array([1, 0]));
    assert.deepEqual(i, new BigInt64Array([-(2n ** 40n), 7n]));
    assert.deepEqual(h, new Uint16Array([0x3c00, 0xc000]));
    assert.ok(timings.inputNs >= 0 && timings.inferNs > 0 && timings.outputNs >= 0);
  } finally {
    await closeSession(loaded.session);
  }
});

test('output arrays own their whole buffer so they can be transferred', async () => {
  const loaded = await createSession(fixtureOptions('add'));
  try {
    const x = new Float32Array([1, 2, 3, 4]);
    const { outputs } = await runSession(
      loaded.session,
      [
        { name: 'x', datatype: 'FP32', shape: [1, 4], data: x },
        { name: 'y', datatype: 'FP32', shape: [1, 4], data: x },
      ],
      ['sum'],
    );
    const sum = outputs[0]?.data as Float32Array;
    assert.deepEqual(sum, new Float32Array([2, 4, 6, 8]));
    assert.equal(sum.byteOffset, 0);
    assert.equal(sum.buffer.byteLength, sum.byteLength);
  } finally {
    await closeSession(loaded.session);
  }
});

test('running with a BF16 input rejects as an unsupported type', async () => {
  const loaded = await createSession(fixtureOptions('add'));
  try {
    const bf16: Tensor = { name: 'x', datatype: 'BF16', shape: [1, 4], data: new Uint16Array(4) };
    await assert.rejects(runSession(loaded.session, [bf16], ['sum']), (error: unknown) => {
      assert.ok(error instanceof ServingError);
      assert.equal(error.code, 'LS_ERR_RUNTIME_UNSUPPORTED_TYPE');
      assert.match(error.message, /BF16 of tensor 'x'/);
      return true;
    });
  } finally {
    await closeSession(loaded.session);
  }
});
