import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { BatchStartEvent } from '../../../../src/observe/events.js';
import { createLayerPlan, type LayerPlan } from '../../../../src/observe/layers/layer-plan.js';
import { ModelProfiler, type ProfileWindowOptions } from '../../../../src/observe/layers/model-profiler.js';
import { LayerMetrics } from '../../../../src/observe/metrics/layer-metrics.js';
import { createSampler, type Sampler } from '../../../../src/observe/sampler.js';
import { ALWAYS, batch, eventually, FakeProfilingRunner, fixtureRun, shippedGraph } from './fakes.js';

const plan: LayerPlan = createLayerPlan(await shippedGraph('digits-cnn'), { depth: 1, max_layers: 32 });
const OBSERVED = ['preprocess', 'block1', 'block2', 'classifier', 'head'];

interface Setup {
  readonly profiler: ModelProfiler;
  readonly runner: FakeProfilingRunner;
  readonly registry: Registry;
  readonly errors: string[];
}

interface SetupOptions {
  readonly window?: Partial<ProfileWindowOptions>;
  readonly sampler?: Sampler;
  readonly runner?: FakeProfilingRunner;
  readonly maxRows?: number;
  readonly cpuBudget?: number;
  readonly now?: () => number;
}

function setup(options: SetupOptions = {}): Setup {
  const registry = new Registry();
  const runner = options.runner ?? new FakeProfilingRunner();
  const errors: string[] = [];
  const profiler = new ModelProfiler({
    model: 'digits-cnn',
    version: '1',
    plan,
    runner,
    outputNames: ['logits'],
    batched: true,
    sampler: options.sampler ?? ALWAYS,
    series: new LayerMetrics(registry).forModel('digits-cnn', '1'),
    window: { ms: 60_000, samples: 3, ...options.window },
    maxRows: options.maxRows ?? 16,
    cpuBudget: options.cpuBudget ?? 1,
    ...(options.now ? { now: options.now } : {}),
    onError: (_err, during) => errors.push(during),
  });
  return { profiler, runner, registry, errors };
}

function event(rows: number): BatchStartEvent {
  return { model: 'digits-cnn', version: '1', rows, inputs: batch(rows) };
}

/** Value of the sample `name{...labels}` in the registry's exposition text (undefined if absent). */
async function sample(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of (await registry.metrics()).split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [series, value] = line.split(/ (?=[^ ]+$)/);
    if (wanted.every((w) => series?.includes(w))) return Number(value);
  }
  return undefined;
}

/** Lets the fake runner's settled promises run their callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('creates every layer series at 0 before any traffic: the observed layers, (other), and the error counter', async () => {
  const { registry, profiler } = setup();
  for (const layer of [...OBSERVED, '(other)']) {
    assert.equal(await sample(registry, 'layerscope_layer_duration_seconds_count', { model: 'digits-cnn', layer }), 0, layer);
  }
  assert.equal(await sample(registry, 'layerscope_observe_errors_total', { model: 'digits-cnn', component: 'profiler' }), 0);
  assert.equal(profiler.snapshot().window, null);
  assert.ok(profiler.snapshot().layers.every((l) => l.lastDurationMs === null && l.share === null));
});

test('closes a window after its sample cap and publishes one observation per sampled forward pass', async () => {
  const { profiler, runner, registry } = setup({ window: { samples: 3 } });
  for (let i = 0; i < 3; i++) {
    profiler.offer(event(4));
    await settle();
  }
  await eventually(() => profiler.snapshot().window !== null, 2000, 'the window');
  assert.equal(runner.endProfileCalls, 1);
  for (const layer of [...OBSERVED, '(other)']) {
    assert.equal(await sample(registry, 'layerscope_layer_duration_seconds_count', { layer }), 3, layer);
  }
  const run = fixtureRun('digits-cnn');
  const kernelS = run.nodes.reduce((a, n) => a + n.durationUs, 0) / 1e6;
  let durations = 0;
  let shares = 0;
  for (const layer of [...OBSERVED, '(other)']) {
    durations += (await sample(registry, 'layerscope_layer_duration_seconds_sum', { layer })) ?? NaN;
    shares += (await sample(registry, 'layerscope_layer_duration_share', { layer })) ?? NaN;
  }
  assert.ok(Math.abs(durations - 3 * kernelS) < 1e-9, 'the layers sum to the kernel time of the sampled runs');
  assert.ok(Math.abs(shares - 1) < 1e-9, 'shares sum to 1');
  const snap = profiler.snapshot();
  assert.deepEqual({ index: snap.window?.index, samples: snap.window?.samples, rows: snap.window?.rows }, { index: 1, samples: 3, rows: 4 });
  assert.equal(snap.window?.forwardMs, run.executeUs / 1000);
  const layerMs = snap.layers.reduce((a, l) => a + (l.lastDurationMs ?? 0), 0);
  assert.ok(Math.abs(layerMs - (snap.window?.kernelMs ?? NaN)) < 1e-9);
  assert.deepEqual(
    snap.layers.map((l) => [l.layer, l.observed, l.nodes]),
    [['preprocess', true, 2], ['block1', true, 3], ['block2', true, 4], ['classifier', true, 3], ['head', true, 1]],
  );
});

test('closes a window after its time even with few samples, and starts none without samples', async () => {
  const { profiler, runner } = setup({ window: { ms: 30, samples: 100 } });
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(runner.endProfileCalls, 0, 'no sample, no window');
  profiler.offer(event(2));
  await eventually(() => profiler.snapshot().window !== null, 2000, 'the timed window');
  assert.equal(profiler.snapshot().window?.samples, 1);
  profiler.offer(event(2));
  await eventually(() => profiler.snapshot().window?.index === 2, 2000, 'the second window');
  assert.equal(runner.endProfileCalls, 2);
  await profiler.close();
});

test('samples no more batches than the sampler allows per second', async () => {
  let now = 0;
  const sampler = createSampler({ rate: 1, maxPerSecond: 2, now: () => now });
  const { profiler, runner } = setup({ sampler, window: { samples: 1000 } });
  for (let i = 0; i < 50; i++) {
    profiler.offer(event(1));
    await settle();
  }
  assert.equal(runner.received.length, 1);
  now += 500;
  for (let i = 0; i < 50; i++) {
    profiler.offer(event(1));
    await settle();
  }
  assert.equal(runner.received.length, 2);
  await profiler.close();
});

test('keeps one sample in flight at most: batches offered meanwhile are skipped', async () => {
  const runner = new FakeProfilingRunner({ gated: true });
  const { profiler } = setup({ runner, window: { samples: 1000 } });
  for (let i = 0; i < 10; i++) profiler.offer(event(1));
  assert.equal(runner.received.length, 1);
  runner.release();
  await settle();
  profiler.offer(event(1));
  assert.equal(runner.received.length, 2);
  runner.release();
  await profiler.close();
});

test('keeps the profiling instance within its CPU budget: a run of d ms holds off the next sample for d/budget', async () => {
  let now = 0;
  const runner = new FakeProfilingRunner({ gated: true });
  const { profiler } = setup({ runner, cpuBudget: 0.1, now: () => now, window: { samples: 1000 } });
  profiler.offer(event(1));
  now = 50; // the profiled run takes 50 ms: 10% of a core allows one every 500 ms
  runner.release();
  await settle();
  now = 499;
  profiler.offer(event(1));
  assert.equal(runner.received.length, 1, 'still within the budget period');
  now = 500;
  profiler.offer(event(1));
  assert.equal(runner.received.length, 2);
  runner.release();
  await profiler.close();
});

test('copies at most maxRows rows of a sampled batch, and the copy shares nothing with the batch', async () => {
  const { profiler, runner } = setup({ maxRows: 16, window: { samples: 1000 } });
  const big = event(40);
  profiler.offer(big);
  const [copy] = runner.received[0] ?? [];
  assert.deepEqual(copy?.shape, [16, 4]);
  assert.equal((copy?.data as Float32Array).length, 64);
  (big.inputs[0]?.data as Float32Array).fill(-1);
  assert.deepEqual([...(copy?.data as Float32Array).slice(0, 3)], [0, 1, 2]);
  await profiler.close();
});

test('counts and reports failed profiling runs and failed windows, never throwing', async () => {
  const runner = new FakeProfilingRunner();
  const { profiler, registry, errors } = setup({ runner, window: { samples: 1 } });
  runner.failNextRun(new Error('boom'));
  profiler.offer(event(1));
  await eventually(() => errors.length === 1, 2000, 'the run failure');
  runner.failNextEndProfile(new Error('no file'));
  await profiler.rotate();
  profiler.offer(event(1));
  await eventually(() => errors.length === 2, 2000, 'the window failure');
  assert.deepEqual(errors, ['a profiling run', 'ending a profile window']);
  assert.equal(await sample(registry, 'layerscope_observe_errors_total', { model: 'digits-cnn', component: 'profiler' }), 2);
  profiler.offer(event(1));
  await eventually(() => profiler.snapshot().window !== null, 2000, 'a window after the failures');
  await profiler.close();
});

test('closing drops the model series and closes the runner; later batches are ignored', async () => {
  const { profiler, runner, registry } = setup();
  await profiler.close();
  assert.ok(runner.closed);
  assert.equal(await sample(registry, 'layerscope_layer_duration_seconds_count', { model: 'digits-cnn' }), undefined);
  profiler.offer(event(1));
  assert.equal(runner.received.length, 0);
});
