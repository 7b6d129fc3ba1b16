import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binIndex, binShares, quantileEdges } from '../../../../src/observe/drift/quantile-bins.js';

const sorted = (values: number[]): Float64Array => Float64Array.from(values).sort();

describe('quantileEdges', () => {
  test('splits evenly spread values into bins of equal share', () => {
    const values = sorted(Array.from({ length: 1000 }, (_, i) => i));
    const edges = quantileEdges(values, 10);
    assert.equal(edges.length, 9);
    assert.deepEqual(binShares(edges, values), new Array(10).fill(0.1));
  });

  test('gives a value repeated half the time (dead ReLUs) a bin of its own and spreads the rest', () => {
    const values = sorted([...new Array(500).fill(0), ...Array.from({ length: 500 }, (_, i) => i + 1)]);
    const edges = quantileEdges(values, 10);
    assert.equal(edges[0], 0);
    assert.equal(edges.length, 9);
    const shares = binShares(edges, values);
    assert.equal(shares[0], 0.5);
    for (const s of shares.slice(1)) assert.ok(Math.abs(s - 0.5 / 9) < 0.01, `share ${s}`);
  });

  test('returns fewer edges when there are few distinct values, and none for a constant', () => {
    assert.deepEqual(quantileEdges(sorted([1, 1, 2, 2, 3, 3]), 10), [1, 2]);
    assert.deepEqual(quantileEdges(sorted([7, 7, 7]), 10), []);
    assert.deepEqual(quantileEdges(new Float64Array(0), 10), []);
  });

  test('keeps edges strictly ascending on skewed data', () => {
    const values = sorted(Array.from({ length: 5000 }, (_, i) => Math.exp((i % 97) / 10) * ((i * 7919) % 13)));
    const edges = quantileEdges(values, 20);
    for (let i = 1; i < edges.length; i++) assert.ok((edges[i] as number) > (edges[i - 1] as number));
  });
});

describe('binIndex', () => {
  test('uses right-closed bins open at both ends', () => {
    const edges = [0, 1, 2];
    assert.equal(binIndex(edges, -5), 0);
    assert.equal(binIndex(edges, 0), 0);
    assert.equal(binIndex(edges, 0.5), 1);
    assert.equal(binIndex(edges, 1), 1);
    assert.equal(binIndex(edges, 2.5), 3);
    assert.equal(binIndex(edges, Infinity), 3);
    assert.equal(binIndex(edges, -Infinity), 0);
    assert.equal(binIndex(edges, NaN), -1);
  });
});
