import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copySample } from '../../../../src/observe/layers/sample-copy.js';
import type { Tensor } from '../../../../src/types/tensor.js';

test('copies the leading rows of every input of a batched model', () => {
  const inputs: Tensor[] = [
    { name: 'a', datatype: 'FP32', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    { name: 'b', datatype: 'INT64', shape: [3], data: new BigInt64Array([7n, 8n, 9n]) },
  ];
  const { inputs: copies, rows } = copySample(inputs, 2, true);
  assert.equal(rows, 2);
  assert.deepEqual(copies, [
    { name: 'a', datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
    { name: 'b', datatype: 'INT64', shape: [2], data: new BigInt64Array([7n, 8n]) },
  ]);
  assert.notEqual((copies[0]?.data as Float32Array).buffer, (inputs[0]?.data as Float32Array).buffer);
});

test('copies a whole tensor of a model that does not batch, and byte strings one by one', () => {
  const item = new Uint8Array([104, 105]);
  const inputs: Tensor[] = [
    { name: 'x', datatype: 'FP32', shape: [4], data: new Float32Array([1, 2, 3, 4]) },
    { name: 's', datatype: 'BYTES', shape: [1], data: [item] },
  ];
  const { inputs: copies, rows } = copySample(inputs, 2, false);
  assert.equal(rows, 1);
  assert.deepEqual(copies[0]?.data, new Float32Array([1, 2, 3, 4]));
  const bytes = copies[1]?.data as Uint8Array[];
  assert.deepEqual(bytes, [item]);
  assert.notEqual(bytes[0], item);
});
