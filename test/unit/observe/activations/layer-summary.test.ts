import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATION_BUCKET_COUNT, activationBucket } from '../../../../src/observe/activations/activation-buckets.js';
import { summarizeLayer } from '../../../../src/observe/activations/layer-summary.js';

describe('summarizeLayer', () => {
  test('counts every finite value into the bucket a per-element search would choose', () => {
    const values = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4));
    const summary = summarizeLayer(values);
    const expected = new Float64Array(ACTIVATION_BUCKET_COUNT);
    for (const v of values) expected[activationBucket(v)]! += 1;
    assert.deepEqual([...summary.buckets], [...expected]);
    assert.equal(summary.count, 5000);
    const sum = values.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(summary.sum - sum) < 1e-6 * Math.max(1, Math.abs(sum)));
  });

  test('counts NaN and ±Inf apart and leaves them out of buckets, sum, min and max', () => {
    const summary = summarizeLayer(Float32Array.from([NaN, 1, Infinity, -Infinity, 0, NaN, -2]));
    assert.equal(summary.nan, 2);
    assert.equal(summary.inf, 2);
    assert.equal(summary.count, 3);
    assert.equal(summary.sum, -1);
    assert.equal(summary.min, -2);
    assert.equal(summary.max, 1);
    assert.equal(summary.buckets.reduce((s, c) => s + c, 0), 3);
  });

  test('counts exact zeros of either sign (dead ReLUs), not tiny values', () => {
    const summary = summarizeLayer(Float64Array.from([0, -0, 1e-30, 0, 5]));
    assert.equal(summary.zeros, 3);
  });

  test('keeps the moments exact for values far from zero', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => 1e6 + (i % 2 === 0 ? 1 : -1));
    const s = summarizeLayer(values);
    const mean = s.shift + s.shiftedSum / s.count;
    const variance = s.shiftedSumSq / s.count - (s.shiftedSum / s.count) ** 2;
    assert.equal(mean, 1e6);
    assert.ok(Math.abs(variance - 1) < 1e-9, `variance ${variance}`);
  });

  test('summarises an even subsample of count values when asked for fewer than there are', () => {
    const values = Float32Array.from({ length: 100_000 }, (_, i) => i % 7); // one value in 7 is 0
    const s = summarizeLayer(values, 1000, () => 0.5);
    assert.equal(s.count, 1000);
    assert.equal(s.buckets.reduce((a, c) => a + c, 0), 1000);
    assert.ok(Math.abs(s.zeros / s.count - 1 / 7) < 0.02, `zero share ${s.zeros / s.count}`);
    assert.equal(s.max, 6);
  });

  test('summarises an empty or all-NaN tensor without finite values', () => {
    const s = summarizeLayer(Float32Array.from([NaN, NaN]));
    assert.equal(s.count, 0);
    assert.equal(s.nan, 2);
    assert.equal(s.min, Infinity);
  });
});
