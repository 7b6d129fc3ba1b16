import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyLeadingRows } from '../../../src/observe/sample-rows.js';
import type { Tensor } from '../../../src/types/tensor.js';

describe('copyLeadingRows', () => {
  const input: Tensor = { name: 'x', datatype: 'FP32', shape: [5, 2, 3], data: Float32Array.from({ length: 30 }, (_, i) => i) };

  test('copies the first rows of every input into buffers of their own', () => {
    const [copy] = copyLeadingRows([input], 2, true);
    assert.deepEqual(copy?.shape, [2, 2, 3]);
    assert.deepEqual([...(copy?.data as Float32Array)], Array.from({ length: 12 }, (_, i) => i));
    assert.notEqual((copy?.data as Float32Array).buffer, (input.data as Float32Array).buffer);
  });

  test('copies no more rows than the batch has', () => {
    const [copy] = copyLeadingRows([input], 16, true);
    assert.deepEqual(copy?.shape, [5, 2, 3]);
    assert.equal((copy?.data as Float32Array).length, 30);
  });

  test('copies a non-batching model input whole', () => {
    const [copy] = copyLeadingRows([input], 1, false);
    assert.deepEqual(copy?.shape, [5, 2, 3]);
    assert.equal((copy?.data as Float32Array).length, 30);
  });

  test('copies BYTES elements, not references to them', () => {
    const bytes: Tensor = { name: 's', datatype: 'BYTES', shape: [2, 1], data: [Uint8Array.of(1), Uint8Array.of(2)] };
    const [copy] = copyLeadingRows([bytes], 1, true);
    const data = copy?.data as Uint8Array[];
    assert.equal(data.length, 1);
    assert.notEqual(data[0], (bytes.data as Uint8Array[])[0]);
    assert.deepEqual([...(data[0] ?? [])], [1]);
  });
});
