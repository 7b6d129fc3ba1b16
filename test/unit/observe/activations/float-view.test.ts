import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bfloat16ToNumber, floatView, halfToNumber } from '../../../../src/observe/activations/float-view.js';

describe('floatView', () => {
  test('hands FP32 data over without a copy', () => {
    const data = Float32Array.of(1, 2);
    assert.equal(floatView({ name: 't', datatype: 'FP32', shape: [2], data }), data);
  });

  test('decodes FP16 words, NaN and Inf included', () => {
    assert.equal(halfToNumber(0x3c00), 1);
    assert.equal(halfToNumber(0xc000), -2);
    assert.equal(halfToNumber(0x0001), 2 ** -24);
    assert.equal(halfToNumber(0x7c00), Infinity);
    assert.ok(Number.isNaN(halfToNumber(0x7e00)));
    const view = floatView({ name: 't', datatype: 'FP16', shape: [2], data: Uint16Array.of(0x3c00, 0x3800) });
    assert.deepEqual([...(view ?? [])], [1, 0.5]);
  });

  test('decodes BF16 words as the upper half of a float32', () => {
    assert.equal(bfloat16ToNumber(0x3f80), 1);
    assert.equal(bfloat16ToNumber(0xc040), -3);
  });

  test('converts integer tensors and refuses BOOL and BYTES', () => {
    assert.deepEqual([...(floatView({ name: 't', datatype: 'INT64', shape: [2], data: BigInt64Array.of(3n, -4n) }) ?? [])], [3, -4]);
    assert.equal(floatView({ name: 't', datatype: 'BOOL', shape: [1], data: Uint8Array.of(1) }), null);
    assert.equal(floatView({ name: 't', datatype: 'BYTES', shape: [1], data: [Uint8Array.of(1)] }), null);
  });
});
