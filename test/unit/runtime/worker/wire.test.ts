import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServingError } from '../../../../src/errors/serving-error.js';
import type { Tensor } from '../../../../src/types/tensor.js';
import { fromWireError, prepareTransfer, toWireError } from '../../../../src/runtime/worker/wire.js';

function fp32(data: Float32Array): Tensor {
  return { name: 'x', datatype: 'FP32', shape: [data.length], data };
}

test('a typed array that owns its whole buffer is transferred as is', () => {
  const data = new Float32Array([1, 2, 3]);
  const { tensors, transfer } = prepareTransfer([fp32(data)]);
  assert.equal(tensors[0]?.data, data);
  assert.deepEqual(transfer, [data.buffer]);
});

test('a view into a larger buffer is copied into its own buffer before transfer', () => {
  const parent = new ArrayBuffer(64);
  const view = new Float32Array(parent, 8, 4);
  view.set([1, 2, 3, 4]);
  const { tensors, transfer } = prepareTransfer([fp32(view)]);
  const sent = tensors[0]?.data as Float32Array;
  assert.notEqual(sent.buffer, parent);
  assert.ok(sent instanceof Float32Array);
  assert.deepEqual([...sent], [1, 2, 3, 4]);
  assert.equal(sent.buffer.byteLength, 16);
  assert.deepEqual(transfer, [sent.buffer]);
});

test('a Node Buffer from the shared pool is copied, never transferred', () => {
  const pooled = Buffer.from([1, 2, 3]);
  assert.ok(pooled.buffer.byteLength > pooled.byteLength, 'precondition: Buffer.from uses the pool');
  const tensor: Tensor = { name: 'b', datatype: 'UINT8', shape: [3], data: pooled };
  const { tensors, transfer } = prepareTransfer([tensor]);
  assert.equal(transfer.includes(pooled.buffer as ArrayBuffer), false);
  assert.deepEqual([...(tensors[0]?.data as Uint8Array)], [1, 2, 3]);
});

test('BYTES elements are each readied for transfer', () => {
  const body = new TextEncoder().encode('helloworld');
  const tensor: Tensor = { name: 's', datatype: 'BYTES', shape: [2], data: [body.subarray(0, 5), body.subarray(5)] };
  const { tensors, transfer } = prepareTransfer([tensor]);
  const items = tensors[0]?.data as Uint8Array[];
  assert.deepEqual(items.map((item) => new TextDecoder().decode(item)), ['hello', 'world']);
  assert.equal(transfer.length, 2);
  assert.equal(transfer.includes(body.buffer), false);
});

test('the same buffer given twice is transferred once and copied the second time', () => {
  const data = new Float32Array([1]);
  const { tensors, transfer } = prepareTransfer([fp32(data), { ...fp32(data), name: 'y' }]);
  assert.equal(transfer.length, 2);
  assert.notEqual(tensors[0]?.data, tensors[1]?.data);
});

test('a ServingError survives the trip through the wire with its code and message', () => {
  const original = new ServingError('LS_ERR_RUNTIME_UNSUPPORTED_TYPE', { datatype: 'BF16', tensor: 'x' });
  const rebuilt = fromWireError(structuredClone(toWireError(original, () => assert.fail('not a fallback'))));
  assert.ok(rebuilt instanceof ServingError);
  assert.equal(rebuilt.code, original.code);
  assert.equal(rebuilt.message, original.message);
});

test('a plain error crosses the wire as the fallback code with its message as detail', () => {
  const wire = toWireError(new Error('boom'), (detail) => new ServingError('LS_ERR_RUNTIME_EXECUTION', { model: 'm', detail }));
  const rebuilt = fromWireError(wire);
  assert.equal(rebuilt.code, 'LS_ERR_RUNTIME_EXECUTION');
  assert.match(rebuilt.message, /model 'm' execution failed: boom/);
});

test('an unknown error code is rebuilt as an internal error rather than trusted', () => {
  const rebuilt = fromWireError({ code: 'NOT_A_CODE', message: 'odd' });
  assert.equal(rebuilt.code, 'LS_ERR_SERVER_INTERNAL');
  assert.match(rebuilt.message, /odd/);
});
