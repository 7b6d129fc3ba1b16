import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeLayer } from '../../../../src/observe/activations/layer-summary.js';
import { SUMMARY_WINDOW_BATCHES, SummaryWindow } from '../../../../src/observe/activations/summary-window.js';

function populationStats(values: readonly number[]): { mean: number; stddev: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return { mean, stddev: Math.sqrt(variance) };
}

describe('SummaryWindow', () => {
  test('gives the mean and stddev of all values of the batches in the window, between-batch spread included', () => {
    const window = new SummaryWindow();
    const batches = [
      [1, 2, 3],
      [10, 10],
      [-5, 0, 0, 5],
    ];
    let stats;
    for (const b of batches) stats = window.push(summarizeLayer(Float64Array.from(b)));
    const expected = populationStats(batches.flat());
    assert.ok(stats);
    assert.ok(Math.abs(stats.mean - expected.mean) < 1e-12);
    assert.ok(Math.abs(stats.stddev - expected.stddev) < 1e-12);
    assert.equal(stats.min, -5);
    assert.equal(stats.max, 10);
    assert.equal(stats.zeroFraction, 2 / 9);
  });

  test(`forgets batches older than the last ${SUMMARY_WINDOW_BATCHES}`, () => {
    const window = new SummaryWindow();
    window.push(summarizeLayer(Float64Array.from([1000])));
    let stats;
    for (let i = 0; i < SUMMARY_WINDOW_BATCHES; i++) stats = window.push(summarizeLayer(Float64Array.from([1, 3])));
    assert.equal(stats?.max, 3);
    assert.equal(stats?.mean, 2);
  });

  test('reports NaN (gauges left alone) when the window holds no finite value', () => {
    const stats = new SummaryWindow().push(summarizeLayer(Float32Array.from([NaN])));
    assert.ok(Number.isNaN(stats.mean));
  });
});
