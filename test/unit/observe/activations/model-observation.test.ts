import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObserveComponent } from '../../../../src/observe/activations/activation-sink.js';
import { ELEMENT_BUDGET, MAX_SAMPLED_ROWS, ModelObservation } from '../../../../src/observe/activations/model-observation.js';
import { DriftTracker } from '../../../../src/observe/drift/drift-tracker.js';
import { createSampler, type Sampler } from '../../../../src/observe/sampler.js';
import { batchStart, FakeInstrumentedRunner, RecordingSink, settle } from './fakes.js';

const ALWAYS: Sampler = { shouldSample: () => true };

function observation(options: { runner?: FakeInstrumentedRunner; sampler?: Sampler; tracker?: DriftTracker | null } = {}) {
  const runner = options.runner ?? new FakeInstrumentedRunner();
  const sink = new RecordingSink();
  const errors: { component: ObserveComponent; err: unknown }[] = [];
  const tracker = options.tracker === undefined ? null : options.tracker;
  const obs = new ModelObservation({
    labels: { model: 'm', version: '1' },
    runner,
    batched: true,
    sampler: options.sampler ?? ALWAYS,
    sink,
    drift: tracker ? { tracker, sink } : null,
    onError: (component, err) => errors.push({ component, err }),
  });
  return { obs, runner, sink, errors };
}

describe('ModelObservation', () => {
  test('samples no more batches than max_batches_per_second allows, however many arrive', async () => {
    let now = 0;
    const sampler = createSampler({ rate: 1, maxPerSecond: 2, now: () => now });
    const { obs, runner } = observation({ sampler });
    for (let i = 0; i < 1000; i++) {
      now = i; // 1000 batches over one second
      obs.offer(batchStart(4));
      await settle();
    }
    // Burst of one, then two per second.
    assert.ok(runner.received.length >= 2 && runner.received.length <= 3, `${runner.received.length} sampled`);
  });

  test('samples about sample_rate of the batches when the rate bound is loose', async () => {
    let i = 0;
    const sampler = createSampler({ rate: 0.25, maxPerSecond: 1e9, now: () => i, random: () => (i % 4) / 4 });
    const { obs, runner } = observation({ sampler });
    for (; i < 400; i++) {
      obs.offer(batchStart(1));
      await settle();
    }
    assert.equal(runner.received.length, 100);
  });

  test('never starts a second sample while the previous one is still running', async () => {
    const runner = new FakeInstrumentedRunner(['a'], undefined, true);
    const { obs } = observation({ runner });
    for (let i = 0; i < 10; i++) obs.offer(batchStart(2));
    assert.equal(runner.received.length, 1);
    runner.pending[0]?.resolve([]);
    await settle();
    obs.offer(batchStart(2));
    assert.equal(runner.received.length, 2);
  });

  test(`copies one row first, then up to ${MAX_SAMPLED_ROWS} rows once the layer widths are known`, async () => {
    const { obs, runner } = observation();
    obs.offer(batchStart(40));
    await settle();
    obs.offer(batchStart(40));
    await settle();
    obs.offer(batchStart(3));
    await settle();
    assert.deepEqual(
      runner.received.map((inputs) => inputs[0]?.shape[0]),
      [1, MAX_SAMPLED_ROWS, 3],
    );
  });

  test(`summarises at most ${ELEMENT_BUDGET} values of a very wide sample, spread over every layer`, async () => {
    const wide = new FakeInstrumentedRunner(['a', 'b', 'c'], () => new Float32Array(1 << 19).fill(2));
    const { obs, sink, runner } = observation({ runner: wide });
    obs.offer(batchStart(8));
    for (let i = 0; i < 20 && sink.batches.length === 0; i++) await settle();
    const counts = sink.batches[0]?.layers.map((l) => l.batch.count) ?? [];
    assert.equal(counts.length, 3);
    assert.ok(counts.reduce((s, c) => s + c, 0) <= ELEMENT_BUDGET + 3, `counts ${counts.join(', ')}`);
    assert.ok(counts.every((c) => c > 0));
    assert.equal(sink.batches[0]?.layers[0]?.window.mean, 2);
    assert.equal(sink.batches[0]?.layers[0]?.bytesPerRow, 4 << 19); // bytes are those of the whole output
    obs.offer(batchStart(8));
    await settle();
    assert.equal(runner.received[1]?.[0]?.shape[0], 1, 'still one row per sample');
  });

  test('reports per-layer summaries, bytes per row and peak bytes for the largest batch seen', async () => {
    const { obs, sink } = observation();
    obs.offer(batchStart(2));
    await settle();
    assert.equal(sink.batches.length, 1);
    const [a, b] = sink.batches[0]?.layers ?? [];
    assert.equal(a?.layer, 'a');
    assert.equal(b?.layer, 'b');
    assert.equal(a?.bytesPerRow, 16); // 4 FP32 values per row
    assert.equal(a?.batch.count, 4); // one row copied on the first sample
    assert.equal(b?.window.max, 6); // layer b doubles 0..3
    // Two layers of 16 bytes per row × the largest batch (2 rows).
    assert.equal(sink.peaks.at(-1), 64);
    obs.offer(batchStart(10)); // a bigger batch raises the peak even before it is sampled
    assert.equal(sink.peaks.at(-1), 320);
  });

  test('counts a failed sample as an activations error, reports nothing for it and keeps sampling', async () => {
    const { obs, runner, sink, errors } = observation();
    runner.failNext = new Error('session exploded');
    obs.offer(batchStart(1));
    await settle();
    assert.deepEqual(
      errors.map((e) => e.component),
      ['activations'],
    );
    assert.equal(sink.batches.length, 0);
    obs.offer(batchStart(1));
    await settle();
    assert.equal(sink.batches.length, 1);
  });

  test('counts a sink that throws as an activations error instead of an unhandled rejection', async () => {
    const { obs, sink, errors } = observation();
    sink.observed = () => {
      throw new Error('sink bug');
    };
    obs.offer(batchStart(1));
    await settle();
    assert.deepEqual(
      errors.map((e) => e.component),
      ['activations'],
    );
    obs.offer(batchStart(1));
    await settle();
    assert.equal(errors.length, 2, 'still sampling');
  });

  test('counts a drift failure as a drift error without losing the activation metrics', async () => {
    const tracker = new DriftTracker({ model: 'm', version: '1', layers: [{ name: 'a', tensor: '/a/out' }], baseline: null, window: 100, baselineBatches: 1 });
    tracker.observe = () => {
      throw new Error('drift bug');
    };
    const { obs, sink, errors } = observation({ tracker });
    obs.offer(batchStart(1));
    await settle();
    assert.equal(sink.batches.length, 1);
    assert.deepEqual(
      errors.map((e) => e.component),
      ['drift'],
    );
  });

  test('stops sampling once closed and closes its runner', async () => {
    const { obs, runner } = observation();
    await obs.close();
    obs.offer(batchStart(1));
    assert.equal(runner.received.length, 0);
    assert.equal(runner.closed, true);
  });
});
