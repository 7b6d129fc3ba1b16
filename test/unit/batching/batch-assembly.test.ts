import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatInputs, sameNonBatchDims, scatterOutputs } from '../../../src/batching/batch-assembly.js';
import type { Tensor } from '../../../src/types/tensor.js';

const fp32 = (name: string, shape: number[], values: number[]): Tensor => ({ name, datatype: 'FP32', shape, data: Float32Array.from(values) });
const bytes = (name: string, items: string[]): Tensor => ({
  name,
  datatype: 'BYTES',
  shape: [items.length],
  data: items.map((s) => new TextEncoder().encode(s)),
});

test('concatenates each input of the members along dim 0 into one new typed array', () => {
  const a = [fp32('x', [1, 2], [1, 2]), { name: 'k', datatype: 'INT64', shape: [1], data: BigInt64Array.from([7n]) } as Tensor];
  const b = [fp32('x', [2, 2], [3, 4, 5, 6]), { name: 'k', datatype: 'INT64', shape: [2], data: BigInt64Array.from([8n, 9n]) } as Tensor];
  const [x, k] = concatInputs([a, b], 3);
  assert.deepEqual(x?.shape, [3, 2]);
  assert.ok(x?.data instanceof Float32Array);
  assert.deepEqual(Array.from(x.data), [1, 2, 3, 4, 5, 6]);
  assert.notEqual(x.data.buffer, (a[0] as Tensor).data);
  assert.deepEqual(k?.shape, [3]);
  assert.deepEqual(Array.from(k?.data as BigInt64Array), [7n, 8n, 9n]);
});

test('concatenates BYTES inputs by joining their element lists', () => {
  const [joined] = concatInputs([[bytes('s', ['a'])], [bytes('s', ['bc', 'd'])]], 3);
  assert.deepEqual(joined?.shape, [3]);
  assert.deepEqual((joined?.data as Uint8Array[]).map((b) => new TextDecoder().decode(b)), ['a', 'bc', 'd']);
});

test('scatter gives each request exactly its rows, in buffers of its own', () => {
  const output = fp32('y', [4, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
  const [first, second] = scatterOutputs([output], [1, 3], 4);
  assert.deepEqual(first?.[0]?.shape, [1, 2]);
  assert.deepEqual(Array.from(first?.[0]?.data as Float32Array), [0, 1]);
  assert.deepEqual(second?.[0]?.shape, [3, 2]);
  assert.deepEqual(Array.from(second?.[0]?.data as Float32Array), [2, 3, 4, 5, 6, 7]);
  const a = first?.[0]?.data as Float32Array;
  const b = second?.[0]?.data as Float32Array;
  assert.notEqual(a.buffer, b.buffer);
  assert.notEqual(a.buffer, output.data instanceof Float32Array ? output.data.buffer : undefined);
});

test('scatter splits BYTES outputs by row range', () => {
  const [first, second] = scatterOutputs([bytes('s', ['a', 'b', 'c'])], [2, 1], 3);
  const text = (t: Tensor | undefined) => (t?.data as Uint8Array[]).map((b) => new TextDecoder().decode(b));
  assert.deepEqual(text(first?.[0]), ['a', 'b']);
  assert.deepEqual(text(second?.[0]), ['c']);
  assert.deepEqual(second?.[0]?.shape, [1]);
});

test('an output whose dim 0 is not the batch size is given whole, copied, to every request', () => {
  const stats = fp32('stats', [1, 3], [9, 8, 7]);
  const [first, second] = scatterOutputs([stats], [2, 2], 4);
  assert.deepEqual(first?.[0]?.shape, [1, 3]);
  assert.deepEqual(Array.from(second?.[0]?.data as Float32Array), [9, 8, 7]);
  assert.notEqual((first?.[0]?.data as Float32Array).buffer, (second?.[0]?.data as Float32Array).buffer);
});

test('requests with different non-batch dims are not batchable together', () => {
  assert.equal(sameNonBatchDims([fp32('x', [1, 2], [0, 0])], [fp32('x', [5, 2], new Array(10).fill(0))]), true);
  assert.equal(sameNonBatchDims([fp32('x', [1, 2], [0, 0])], [fp32('x', [1, 3], [0, 0, 0])]), false);
  assert.equal(sameNonBatchDims([fp32('x', [1, 2], [0, 0])], [fp32('x', [2], [0, 0])]), false);
});
