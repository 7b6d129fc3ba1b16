import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASELINE_FORMAT, buildLayerBaseline, type Baseline } from '../../../../src/observe/drift/baseline.js';
import { DriftTracker, MIN_WINDOW_ROWS } from '../../../../src/observe/drift/drift-tracker.js';
import { PSI_ALERT, PSI_WATCH } from '../../../../src/observe/drift/psi.js';
import { seededRandom, ValueReservoir } from '../../../../src/observe/drift/sampling.js';

const LAYERS = [
  { name: 'relu', tensor: '/relu/out' },
  { name: 'fc', tensor: '/fc/out' },
];

/** A batch of `rows` rows × `width` values per layer: relu = max(0, N(mean, 1)), fc = N(mean, 1)·scale. */
function makeBatch(random: () => number, rows: number, width: number, mean = 0, scale = 1): Float32Array[] {
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const fc = Float32Array.from({ length: rows * width }, () => (mean + normal()) * scale);
  return [fc.map((v) => Math.max(0, v)), fc];
}

function storedBaseline(random: () => number): Baseline {
  const reservoirs = LAYERS.map(() => new ValueReservoir(100_000, random));
  for (let b = 0; b < 50; b++) makeBatch(random, 16, 64).forEach((data, i) => data.forEach((v) => reservoirs[i]?.add(v)));
  const layers = Object.fromEntries(LAYERS.map((l, i) => [l.name, buildLayerBaseline(l.tensor, reservoirs[i] as ValueReservoir)]));
  return { format: BASELINE_FORMAT, model: 'm', version: '1', source: 'test', rows: 800, layers };
}

function lastScores(tracker: DriftTracker, batches: number, make: () => Float32Array[], rows: number) {
  let scores;
  for (let b = 0; b < batches; b++) scores = tracker.observe(make(), rows).scores ?? scores;
  return scores;
}

describe('DriftTracker', () => {
  const random = seededRandom(11);
  const baseline = storedBaseline(random);

  test('scores live data from the baseline distribution below the watch threshold', () => {
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: LAYERS, baseline, window: 2000, baselineBatches: 20 });
    const scores = lastScores(tracker, 60, () => makeBatch(random, 8, 64), 8);
    assert.ok(scores);
    assert.ok(scores.max < PSI_WATCH, `max ${scores.max}`);
  });

  test('scores shifted live data above the alert threshold', () => {
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: LAYERS, baseline, window: 2000, baselineBatches: 20 });
    const scores = lastScores(tracker, 60, () => makeBatch(random, 8, 64, 1), 8);
    assert.ok(scores);
    assert.ok((scores.layers.get('fc') ?? 0) > PSI_ALERT, `fc ${scores.layers.get('fc')}`);
    assert.equal(scores.max, Math.max(...scores.layers.values()));
  });

  test('scores scaled live data above the alert threshold', () => {
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: LAYERS, baseline, window: 2000, baselineBatches: 20 });
    const scores = lastScores(tracker, 60, () => makeBatch(random, 8, 64, 0, 2), 8);
    assert.ok((scores?.max ?? 0) > PSI_ALERT, `max ${scores?.max}`);
  });

  test(`reports nothing until the window holds drift_window values spread over ${MIN_WINDOW_ROWS} rows`, () => {
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: LAYERS, baseline, window: 2000, baselineBatches: 20 });
    // 2000 / 200 = 10 values per row: 199 rows leave the window short of full, whatever the width.
    for (let row = 0; row < MIN_WINDOW_ROWS - 1; row++) assert.equal(tracker.observe(makeBatch(random, 1, 512), 1).scores, undefined);
    assert.ok(tracker.observe(makeBatch(random, 1, 512), 1).scores);
  });

  test('learns a baseline from the first baseline_batches sampled batches, then scores against it', () => {
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: LAYERS, baseline: null, window: 500, baselineBatches: 3 });
    assert.equal(tracker.learning, true);
    assert.deepEqual(tracker.observe(makeBatch(random, 16, 64), 16), {});
    assert.deepEqual(tracker.observe(makeBatch(random, 16, 64), 16), {});
    const update = tracker.observe(makeBatch(random, 16, 64), 16);
    assert.equal(tracker.learning, false);
    assert.equal(update.learned?.rows, 48);
    assert.deepEqual(Object.keys(update.learned?.layers ?? {}), ['relu', 'fc']);
    assert.match(update.learned?.source ?? '', /live traffic/);
    const scores = lastScores(tracker, 20, () => makeBatch(random, 16, 64), 16);
    assert.ok(scores && scores.max < PSI_WATCH, `max ${scores?.max}`);
  });

  test('leaves out layers the stored baseline does not know, and says which', () => {
    const partial: Baseline = { ...baseline, layers: { fc: baseline.layers['fc']! } };
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: LAYERS, baseline: partial, window: 200, baselineBatches: 20 });
    assert.deepEqual(tracker.missing, ['relu']);
    const scores = lastScores(tracker, 30, () => makeBatch(random, 16, 64), 16);
    assert.deepEqual([...(scores?.layers.keys() ?? [])], ['fc']);
  });

  test('ignores NaN in the live data', () => {
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: LAYERS, baseline, window: 200, baselineBatches: 20 });
    const nan = Float32Array.from({ length: 64 * 16 }, () => NaN);
    for (let b = 0; b < 50; b++) assert.equal(tracker.observe([nan, nan], 16).scores, undefined);
  });
});
