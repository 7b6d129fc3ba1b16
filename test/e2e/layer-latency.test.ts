// Per-layer latency end to end: the composed server (real batcher, real onnxruntime workers) serves
// the shipped models; the layer observer profiles sampled batches in its own profiling instances.
// Windows are shortened through the observer's options (2 s or 8 samples) so figures come fast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { compose, type Services } from '../../src/compose.js';
import { channels, subscribe, type BatchEvent } from '../../src/observe/events.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLayerObserver, type LayerObserver } from '../../src/observe/layers/layer-observer.js';
import { createMetricsRegistry } from '../../src/observe/metrics/registry.js';
import { createOnnxRunnerFactory } from '../../src/runtime/onnx/onnx-runner-factory.js';
import { silentLogger } from '../../src/types/logger.js';
import { SHIPPED_MODELS } from '../helpers/golden.js';
import { MODELS_DIR } from '../helpers/paths.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/** Input shape of one row of each shipped model. */
const ROW_SHAPE: Record<(typeof SHIPPED_MODELS)[number], number[]> = {
  'breast-cancer-mlp': [30],
  'digits-cnn': [1, 8, 8],
  'digits-transformer': [8, 8],
};
const ROWS = 16;
const WINDOW = { ms: 2000, samples: 8 };

function inferBody(model: (typeof SHIPPED_MODELS)[number]): string {
  const shape = [ROWS, ...ROW_SHAPE[model]];
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: n }, () => Math.round(Math.random() * 16));
  return JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape, data }] });
}

/** `name{...labels} value` samples of the exposition text, by their label set. */
function samples(text: string, name: string, model: string): Map<string, number> {
  const out = new Map<string, number>();
  const pattern = new RegExp(`^${name}\\{model="${model}",version="1",layer="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(pattern)) out.set(m[1] ?? '', Number(m[2]));
  return out;
}

describe('per-layer latency of the shipped models', () => {
  let repo: TempRepo;
  let services: Services;
  let observer: LayerObserver;
  let registry: Registry;
  let trafficStarted = 0;
  const firstWindowAfterMs = new Map<string, number>();
  /** session.run time of the serving instances for 16-row batches (no profiler), per model. */
  const servingInferMs = new Map<string, number[]>();
  let unsubscribe = (): void => {};

  before(async () => {
    repo = createTempRepo();
    for (const model of SHIPPED_MODELS) {
      repo.copyShipped(model);
      const config = JSON.parse(readFileSync(join(MODELS_DIR, model, 'config.json'), 'utf8')) as Record<string, unknown>;
      // Every batch is a sampling candidate; the in-flight bound still keeps one sample at a time.
      config['observe'] = { sample_rate: 1, max_batches_per_second: 50 };
      repo.write(`${model}/config.json`, JSON.stringify(config));
    }
    // The server's own metrics are off: this test's observer and registry are the only ones.
    const config = loadConfig({ argv: ['--model-repository', repo.dir, '--no-metrics'] });
    services = compose({ config, logger: silentLogger });
    registry = createMetricsRegistry({ defaultMetrics: false });
    observer = createLayerObserver({
      registry,
      repository: services.repository,
      runnerFactory: createOnnxRunnerFactory(),
      logger: silentLogger,
      window: WINDOW,
    }).start();
    await services.repository.loadAll();
    await services.app.ready();
    for (const model of SHIPPED_MODELS) {
      const started = Date.now();
      while (observer.snapshot(model, '1') === undefined) {
        assert.ok(Date.now() - started < 20_000, `profiler of ${model} never started`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    unsubscribe = subscribe<BatchEvent>(channels.batch, (e) => {
      if (e.rows === ROWS) servingInferMs.set(e.model, [...(servingInferMs.get(e.model) ?? []), e.timings.inferNs / 1e6]);
    });
    // Traffic until every model has published two windows (the second is all warm).
    trafficStarted = Date.now();
    const done = (model: string): boolean => (observer.snapshot(model, '1')?.window?.index ?? 0) >= 2;
    while (!SHIPPED_MODELS.every(done)) {
      assert.ok(Date.now() - trafficStarted < 60_000, 'windows did not close under traffic within 60 s');
      await Promise.all(
        SHIPPED_MODELS.map(async (model) => {
          const res = await services.app.inject({ method: 'POST', url: `/v2/models/${model}/infer`, payload: inferBody(model) });
          assert.equal(res.statusCode, 200, res.body);
          if (observer.snapshot(model, '1')?.window && !firstWindowAfterMs.has(model)) firstWindowAfterMs.set(model, Date.now() - trafficStarted);
        }),
      );
    }
  });

  after(async () => {
    unsubscribe();
    await services?.shutdown();
    await observer?.stop();
    repo?.remove();
  });

  test('publishes duration and share series for every observed layer of every shipped model within seconds of traffic', async () => {
    const text = await registry.metrics();
    for (const model of SHIPPED_MODELS) {
      const snap = observer.snapshot(model, '1');
      assert.ok(snap?.window, model);
      const observed = snap.layers.filter((l) => l.observed).map((l) => l.layer);
      assert.ok(observed.length > 0, `${model} observes layers`);
      const counts = samples(text, 'layerscope_layer_duration_seconds_count', model);
      const shares = samples(text, 'layerscope_layer_duration_share', model);
      assert.deepEqual([...counts.keys()].sort(), [...observed, '(other)'].sort(), `${model}: one series per observed layer, plus (other)`);
      for (const [layer, count] of counts) assert.ok(count >= 2, `${model}/${layer}: ${count} observations`);
      const shareSum = [...shares.values()].reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(shareSum - 1) < 1e-6, `${model}: shares sum to ${shareSum}`);
      assert.ok((firstWindowAfterMs.get(model) ?? Infinity) <= WINDOW.ms + 3000, `${model}: first window after ${firstWindowAfterMs.get(model)} ms`);
    }
  });

  test('the layers of digits-cnn add up to its forward pass within 25%', () => {
    const report: string[] = [];
    for (const model of SHIPPED_MODELS) {
      const snap = observer.snapshot(model, '1');
      const window = snap?.window;
      assert.ok(snap && window);
      const layerSumMs = snap.layers.reduce((a, l) => a + (l.lastDurationMs ?? 0), 0);
      assert.ok(Math.abs(layerSumMs - window.kernelMs) < 1e-9, `${model}: every kernel lands in a layer`);
      const serving = (servingInferMs.get(model) ?? []).sort((a, b) => a - b);
      const servingMedian = serving[serving.length >> 1] ?? NaN;
      report.push(
        `${model}: ${window.samples} samples of ${window.rows} rows, layers ${layerSumMs.toFixed(3)} ms vs forward ${window.forwardMs.toFixed(3)} ms ` +
          `(ratio of means ${(layerSumMs / window.forwardMs).toFixed(3)}, median per-run coverage ${window.coverage?.toFixed(3)}); ` +
          `serving session.run median ${servingMedian.toFixed(3)} ms over ${serving.length} batches`,
      );
    }
    console.log(`per-layer sum vs forward pass, latest window:\n  ${report.join('\n  ')}\n  first windows after ${JSON.stringify(Object.fromEntries(firstWindowAfterMs))} ms of traffic`);
    // Per sampled run: the layers' summed kernel time vs onnxruntime's own executor time for that run.
    const coverage = observer.snapshot('digits-cnn', '1')?.window?.coverage;
    assert.ok(coverage != null && coverage >= 0.75 && coverage <= 1.25, `digits-cnn: layers explain ${coverage} of the forward pass`);
  });
});
