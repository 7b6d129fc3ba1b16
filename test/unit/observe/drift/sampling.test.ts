import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, stridedSample, ValueReservoir } from '../../../../src/observe/drift/sampling.js';

describe('stridedSample', () => {
  test('visits count elements spread evenly over the data', () => {
    const data = Float32Array.from({ length: 100 }, (_, i) => i);
    const seen: number[] = [];
    stridedSample(data, 10, () => 0, (v) => seen.push(v));
    assert.deepEqual(seen, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  test('visits everything when asked for more than there is', () => {
    const seen: number[] = [];
    stridedSample(Float32Array.of(1, 2, 3), 10, Math.random, (v) => seen.push(v));
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test('picks every element about equally often over many calls', () => {
    const data = Float32Array.from({ length: 10 }, (_, i) => i);
    const hits = new Array(10).fill(0);
    const random = seededRandom(1);
    for (let k = 0; k < 10_000; k++) stridedSample(data, 3, random, (v) => hits[v]++);
    for (const h of hits) assert.ok(Math.abs(h - 3000) < 200, `hits ${hits.join(',')}`);
  });
});

describe('ValueReservoir', () => {
  test('keeps at most its capacity, with exact stats of everything offered', () => {
    const reservoir = new ValueReservoir(100, seededRandom(2));
    for (let i = 0; i < 10_000; i++) reservoir.add(i % 2 === 0 ? 0 : i);
    assert.equal(reservoir.sorted().length, 100);
    const stats = reservoir.stats();
    assert.equal(stats.count, 10_000);
    assert.equal(stats.zeroFraction, 0.5);
    assert.equal(stats.min, 0);
    assert.equal(stats.max, 9999);
    assert.ok(Math.abs(stats.mean - 2500) < 1e-9);
  });

  test('keeps a uniform sample of a long stream', () => {
    const reservoir = new ValueReservoir(2000, seededRandom(3));
    for (let i = 0; i < 100_000; i++) reservoir.add(i);
    const sample = reservoir.sorted();
    const median = sample[1000] as number;
    assert.ok(Math.abs(median - 50_000) < 4000, `median ${median}`);
  });

  test('leaves NaN and ±Inf out', () => {
    const reservoir = new ValueReservoir(10, seededRandom(4));
    for (const v of [NaN, Infinity, -Infinity, 1]) reservoir.add(v);
    assert.equal(reservoir.seen, 1);
  });
});
