import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../helpers/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

/** Value of one series in Prometheus text, or undefined when absent. */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const parts = body.split(',');
    if (wanted.every((w) => parts.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('non-finite activations, through the real server', () => {
  let repo: TempRepo;
  let server: ServerProcess;
  let metricsUrl: string;

  before(async () => {
    repo = createTempRepo();
    // x → a: Relu → b: Sqrt(relu − 1), NaN where relu(x) < 1 → c: NaN replaced by 0 → y.
    repo.write('nan-layer/1/model.onnx', readFileSync(join(FIXTURES_DIR, 'observe', 'nan-layer.onnx')));
    repo.write('nan-layer/config.json', JSON.stringify({ observe: { sample_rate: 1, max_batches_per_second: 1000 } }));
    server = await startServerProcess(['--model-repository', repo.dir]);
    metricsUrl = server.metricsUrl;
  });

  after(async () => {
    assert.equal(await server.stop(), 0);
    repo.remove();
  });

  test('a layer that outputs NaN raises layerscope_layer_nonfinite_total{kind="nan"} for that layer only, and clients get finite answers', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [0.5, 2, -1, 3] }] });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/v2/models/nan-layer/infer`, { method: 'POST', body });
      assert.equal(res.status, 200);
      const answer = (await res.json()) as { outputs: { data: number[] }[] };
      assert.deepEqual(answer.outputs[0]?.data.map((v) => Math.round(v * 1e4) / 1e4), [0, 1, 0, 1.4142]);
    }
    const count = (text: string, layer: string, kind: string): number | undefined =>
      series(text, 'layerscope_layer_nonfinite_total', { model: 'nan-layer', version: '1', layer, kind });
    let text = '';
    // The observer starts its instrumented runner after the model is READY; keep traffic going
    // until a sample has been observed.
    for (let i = 0; i < 200; i++) {
      text = await (await fetch(metricsUrl)).text();
      if ((count(text, 'b', 'nan') ?? 0) > 0) break;
      assert.equal((await fetch(`${server.url}/v2/models/nan-layer/infer`, { method: 'POST', body })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const nan = count(text, 'b', 'nan') ?? 0;
    assert.ok(nan > 0 && nan % 2 === 0, `layer b: ${nan} NaN (two per sampled row)`);
    assert.equal(count(text, 'b', 'inf'), 0);
    for (const layer of ['a', 'c']) {
      assert.equal(count(text, layer, 'nan'), 0, `layer ${layer} nan`);
      assert.equal(count(text, layer, 'inf'), 0, `layer ${layer} inf`);
    }
    // The gauges summarise the finite values only: b's are 1 and √2.
    assert.equal(series(text, 'layerscope_layer_activation_max', { model: 'nan-layer', layer: 'b' }), Math.fround(Math.SQRT2));
    assert.equal(series(text, 'layerscope_layer_activation_min', { model: 'nan-layer', layer: 'b' }), 1);
  });
});
