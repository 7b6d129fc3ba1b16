import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeLoaded } from '../helpers/app.js';
import { readGolden } from '../helpers/golden.js';
import { createTempRepo } from '../helpers/temp-repo.js';

interface LayerRow {
  layer: string;
  observed: boolean;
  nodes: number | null;
  latency: { last_duration_ms: number | null; share: number | null } | null;
  activation: { mean: number; zero_fraction: number; bytes_per_row: number } | null;
  drift_score: number | null;
}

test('GET /v2/models/{m}/layers lists every layer with its latest latency, activation and drift figures', async () => {
  const repo = createTempRepo();
  repo.copyShipped('digits-cnn');
  repo.write(
    'digits-cnn/config.json',
    JSON.stringify({ max_batch_size: 64, instance_group: [{ count: 1 }], observe: { sample_rate: 1, max_batches_per_second: 1000 } }),
  );
  const services = await composeLoaded(['--profile-window-ms', '300', '--profile-window-samples', '2', '--profile-cpu-budget', '1'], repo.dir);
  try {
    const body = readGolden('digits-cnn').inputText;
    let report: { model: string; version: string; depth: number; model_drift_score: number | null; layers: LayerRow[] } | undefined;
    for (let i = 0; i < 200; i++) {
      assert.equal((await services.app.inject({ method: 'POST', url: '/v2/models/digits-cnn/infer', payload: body })).statusCode, 200);
      const res = await services.app.inject({ method: 'GET', url: '/v2/models/digits-cnn/layers' });
      assert.equal(res.statusCode, 200);
      report = res.json();
      const head = report!.layers.find((l) => l.layer === 'head');
      if (head?.latency?.last_duration_ms != null && head.activation !== null) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(report);
    assert.equal(report.model, 'digits-cnn');
    assert.equal(report.version, '1');
    assert.equal(report.depth, 1);
    assert.deepEqual(
      report.layers.filter((l) => l.observed).map((l) => l.layer),
      ['preprocess', 'block1', 'block2', 'classifier', 'head'],
    );
    const head = report.layers.find((l) => l.layer === 'head')!;
    assert.ok(head.latency !== null && (head.latency.last_duration_ms ?? 0) > 0, 'latency of the head layer');
    assert.ok(head.activation !== null && head.activation.bytes_per_row === 40, 'head outputs 10 FP32 per row');
    assert.equal(typeof head.drift_score === 'number' || head.drift_score === null, true);
    const shares = report.layers.map((l) => l.latency?.share ?? 0).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(shares - 1) < 0.05, `shares add up to 1, got ${shares}`);
    assert.equal((await services.app.inject({ method: 'GET', url: '/v2/models/nope/layers' })).statusCode, 404);
  } finally {
    await services.shutdown();
    repo.remove();
  }
});
