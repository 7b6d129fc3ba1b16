import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createOnnxRunnerFactory } from '../../../../src/runtime/onnx/onnx-runner-factory.js';
import type { InferenceRunner, RunRequest, RunResult } from '../../../../src/runtime/runner.js';
import { fixtureOptions, SLOW_MATMUL_WIDTH } from '../runtime-fixtures.js';

// slow-matmul takes ≥ 200 ms per forward pass on one thread (make-fixtures.mjs); these tests are
// about where that time is spent, so they assert loosely on a noisy 2-core machine.
const factory = createOnnxRunnerFactory();
const open: InferenceRunner[] = [];
after(() => Promise.all(open.map((runner) => runner.close())));

async function start(instanceCount: number): Promise<InferenceRunner> {
  const runner = await factory.create(fixtureOptions('slow-matmul', { instanceCount, intraOpThreads: 1 }));
  open.push(runner);
  return runner;
}

function slowRequest(): RunRequest {
  return { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, SLOW_MATMUL_WIDTH], data: new Float32Array(SLOW_MATMUL_WIDTH).fill(1) }], outputNames: ['y'] };
}

const ms = (ns: number): number => ns / 1e6;

interface Responsiveness {
  readonly result: RunResult;
  readonly wallMs: number;
  readonly ticks: number;
  readonly maxLateMs: number;
  readonly histogramMaxMs: number;
}

/** Runs one forward pass while a 5 ms timer loop measures how late the main thread wakes up. */
async function measureResponsiveness(runner: InferenceRunner): Promise<Responsiveness> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let done = false;
  const started = performance.now();
  const run = runner.run(slowRequest()).finally(() => (done = true));
  let maxLateMs = 0;
  let ticks = 0;
  while (!done) {
    const before = performance.now();
    await sleep(5);
    maxLateMs = Math.max(maxLateMs, performance.now() - before - 5);
    ticks++;
  }
  const result = await run;
  histogram.disable();
  return { result, wallMs: performance.now() - started, ticks, maxLateMs, histogramMaxMs: ms(histogram.max) };
}

test('the main event loop stays responsive during a forward pass of over 200 ms', async (t) => {
  const runner = await start(1);
  await runner.run(slowRequest()); // warm-up
  // Other processes on a small shared machine can deschedule this thread for tens of ms, so up to
  // three passes are measured; blocking the loop would make every one of them ≥ 200 ms late.
  let best: Responsiveness | undefined;
  for (let attempt = 0; attempt < 3 && (best === undefined || best.maxLateMs >= 50); attempt++) {
    const m = await measureResponsiveness(runner);
    t.diagnostic(
      `forward ${ms(m.result.timings.inferNs).toFixed(0)} ms, wall ${m.wallMs.toFixed(0)} ms, ${m.ticks} timer ticks, ` +
        `max timer lateness ${m.maxLateMs.toFixed(1)} ms, event-loop delay max ${m.histogramMaxMs.toFixed(1)} ms`,
    );
    assert.ok(ms(m.result.timings.inferNs) >= 200, `the forward pass took ${ms(m.result.timings.inferNs)} ms`);
    assert.ok(m.ticks >= 10, `only ${m.ticks} timer ticks in ${m.wallMs.toFixed(0)} ms`);
    if (best === undefined || m.maxLateMs < best.maxLateMs) best = m;
  }
  assert.ok(best && best.maxLateMs < 50, `a 5 ms timer fired ${best?.maxLateMs.toFixed(1)} ms late`);
});

test('two instances run two batches at the same time', async (t) => {
  const runner = await start(2);
  assert.equal(runner.idleInstances(), 2);
  await Promise.all([runner.run(slowRequest()), runner.run(slowRequest())]); // warm-up both
  const single = performance.now();
  await runner.run(slowRequest());
  const singleMs = performance.now() - single;

  const started = performance.now();
  const pair = [runner.run(slowRequest()), runner.run(slowRequest())];
  assert.equal(runner.idleInstances(), 0, 'both instances are busy');
  const [a, b] = await Promise.all(pair);
  const wallMs = performance.now() - started;
  assert.ok(a && b);
  assert.deepEqual([a.instance, b.instance].sort(), [0, 1]);
  const summedMs = ms(a.timings.inferNs) + ms(b.timings.inferNs);
  t.diagnostic(
    `one run ${singleMs.toFixed(0)} ms; two concurrent ${wallMs.toFixed(0)} ms ` +
      `(${(wallMs / singleMs).toFixed(2)}× one, speedup ${((2 * singleMs) / wallMs).toFixed(2)}×); ` +
      `forward passes summed ${summedMs.toFixed(0)} ms`,
  );
  // Serialized passes would take at least their sum; overlapping ones take about the longest.
  assert.ok(wallMs < 0.8 * summedMs, `${wallMs.toFixed(0)} ms wall for ${summedMs.toFixed(0)} ms of forward passes`);
  assert.equal(runner.idleInstances(), 2);
});
