import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATION_BUCKETS, ACTIVATION_BUCKET_COUNT, activationBucket } from '../../../../src/observe/activations/activation-buckets.js';

describe('activation histogram buckets', () => {
  test('are symmetric log bounds from ±1e-3 to ±1e3, two per decade, plus 0', () => {
    const positive = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000];
    assert.deepEqual([...ACTIVATION_BUCKETS], [...positive.map((v) => -v).reverse(), 0, ...positive]);
    assert.equal(ACTIVATION_BUCKET_COUNT, 28);
  });

  test('resolve layers whose value scales differ by 1000x into different buckets', () => {
    const small = activationBucket(0.02);
    const large = activationBucket(20);
    assert.ok(large - small >= 6, `0.02 in bucket ${small}, 20 in bucket ${large}`);
  });

  test('put a value on a bound into that bound (le is inclusive)', () => {
    ACTIVATION_BUCKETS.forEach((bound, i) => assert.equal(activationBucket(bound), i, `bound ${bound}`));
    assert.equal(activationBucket(0), ACTIVATION_BUCKETS.indexOf(0));
    assert.equal(activationBucket(-0), ACTIVATION_BUCKETS.indexOf(0));
  });

  test('send values above 1000 to +Inf and values below -1000 to the lowest bucket', () => {
    assert.equal(activationBucket(1000.5), ACTIVATION_BUCKETS.length);
    assert.equal(activationBucket(1e30), ACTIVATION_BUCKETS.length);
    assert.equal(activationBucket(-1e30), 0);
    assert.equal(activationBucket(0.0005), ACTIVATION_BUCKETS.indexOf(0.001));
    assert.equal(activationBucket(-0.0005), ACTIVATION_BUCKETS.indexOf(0));
  });
});
