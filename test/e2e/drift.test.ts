import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PSI_ALERT, PSI_WATCH } from '../../src/observe/drift/psi.js';
import { MODELS_DIR } from '../helpers/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

interface Split {
  readonly shape: number[];
  readonly data: number[];
}

/** Every `name{...}` series whose labels include `labels`: label set → value. */
function seriesOf(text: string, name: string, labels: Record<string, string>): Map<string, number> {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (wanted.every((w) => body.split(',').includes(w))) out.set(body, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

function readSplit(model: string): Split {
  return JSON.parse(readFileSync(join(MODELS_DIR, model, '1', 'golden', 'test-split.json'), 'utf8')) as Split;
}

/** Row i of the split (cycling), through `transform`. */
function rowOf(split: Split, i: number, transform: (row: number[]) => number[] = (r) => r): number[] {
  const rows = split.shape[0] as number;
  const width = split.data.length / rows;
  const start = (i % rows) * width;
  return transform(split.data.slice(start, start + width));
}

/** Digits moved 3 pixels to the right (8×8 images, the left columns become 0). */
function shiftRight3(row: number[]): number[] {
  const out = new Array<number>(64).fill(0);
  for (let y = 0; y < 8; y++) for (let x = 0; x + 3 < 8; x++) out[y * 8 + x + 3] = row[y * 8 + x] as number;
  return out;
}

describe('activation drift of the shipped models, through the real server', () => {
  let repo: TempRepo;
  let server: ServerProcess;
  let metricsUrl: string;
  const observe = { sample_rate: 1, max_batches_per_second: 1000 };

  /** A shipped model (with its baseline.json) under `as`, sampling every batch. */
  function install(model: string, as = model): void {
    repo.copyShipped(model, as);
    const config = JSON.parse(readFileSync(join(MODELS_DIR, model, 'config.json'), 'utf8')) as Record<string, unknown>;
    repo.write(`${as}/config.json`, JSON.stringify({ ...config, name: as, observe }));
  }

  before(async () => {
    repo = createTempRepo();
    for (const model of ['digits-cnn', 'digits-transformer', 'breast-cancer-mlp']) install(model);
    install('digits-cnn', 'digits-cnn-shifted');
    install('breast-cancer-mlp', 'breast-cancer-mlp-scaled');
    server = await startServerProcess(['--model-repository', repo.dir]);
    metricsUrl = server.metricsUrl;
  });

  after(async () => {
    assert.equal(await server.stop(), 0);
    repo.remove();
  });

  async function infer(model: string, split: Split, row: number[]): Promise<void> {
    const shape = [1, ...split.shape.slice(1)];
    const body = JSON.stringify({ inputs: [{ name: 'input', shape, datatype: 'FP32', data: row }] });
    const res = await fetch(`${server.url}/v2/models/${model}/infer`, { method: 'POST', body });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }

  async function scores(model: string): Promise<{ model?: number; layers: Map<string, number> }> {
    const text = await (await fetch(metricsUrl)).text();
    const labels = { model, version: '1' };
    const layers = new Map([...seriesOf(text, 'layerscope_layer_drift_score', labels)].map(([k, v]) => [/layer="([^"]*)"/.exec(k)?.[1] ?? k, v]));
    return { model: [...seriesOf(text, 'layerscope_model_drift_score', labels).values()][0], layers };
  }

  /**
   * Streams single-row requests (sequentially, like a plain client) until `done` holds on the
   * scores, checking every 100 requests; returns the scores and how many requests it took.
   */
  async function stream(
    model: string,
    split: Split,
    limit: number,
    done: (s: Awaited<ReturnType<typeof scores>>, requests: number) => boolean,
    transform?: (row: number[]) => number[],
  ) {
    let current = await scores(model);
    for (let i = 0; i < limit; i++) {
      await infer(model, split, rowOf(split, i, transform));
      if ((i + 1) % 100 === 0 && done((current = await scores(model)), i + 1)) return { requests: i + 1, scores: current };
    }
    return { requests: limit, scores: await scores(model) };
  }

  const LAYERS: Record<string, number> = { 'digits-cnn': 5, 'digits-transformer': 4, 'breast-cancer-mlp': 6 };

  for (const model of Object.keys(LAYERS)) {
    test(`${model}'s own test split does not drift from its baseline.json (PSI < ${PSI_WATCH} on every layer)`, async (t) => {
      const split = readSplit(model);
      // The whole held-out split at least, cycling on until every observed layer's window is full.
      const rows = split.shape[0] as number;
      const { requests, scores: s } = await stream(model, split, 3000, (x, n) => n >= rows && x.layers.size === LAYERS[model]);
      t.diagnostic(`${model}: ${requests} requests, model PSI ${s.model?.toFixed(4)}, layers ${JSON.stringify(Object.fromEntries([...s.layers].map(([k, v]) => [k, +v.toFixed(4)])))}`);
      assert.equal(s.layers.size, LAYERS[model], 'every layer has a score');
      for (const [layer, score] of s.layers) assert.ok(score < PSI_WATCH, `${layer}: PSI ${score}`);
      assert.ok(s.model !== undefined && s.model < PSI_WATCH);
    });
  }

  test(`digits moved 3 pixels to the right drift above the alert threshold (PSI > ${PSI_ALERT}) within 2,000 requests`, async (t) => {
    const split = readSplit('digits-cnn');
    const { requests, scores: s } = await stream('digits-cnn-shifted', split, 2000, (x) => (x.model ?? 0) > PSI_ALERT, shiftRight3);
    t.diagnostic(`digits-cnn +3 px: ${requests} requests, model PSI ${s.model?.toFixed(4)}, layers ${JSON.stringify(Object.fromEntries([...s.layers].map(([k, v]) => [k, +v.toFixed(4)])))}`);
    assert.ok((s.model ?? 0) > PSI_ALERT, `model PSI ${s.model}`);
  });

  test(`breast-cancer features scaled by 1.5 drift above the alert threshold (PSI > ${PSI_ALERT}) within 2,000 requests`, async (t) => {
    const split = readSplit('breast-cancer-mlp');
    const { requests, scores: s } = await stream('breast-cancer-mlp-scaled', split, 2000, (x) => (x.model ?? 0) > PSI_ALERT, (row) => row.map((v) => v * 1.5));
    t.diagnostic(`breast-cancer ×1.5: ${requests} requests, model PSI ${s.model?.toFixed(4)}, layers ${JSON.stringify(Object.fromEntries([...s.layers].map(([k, v]) => [k, +v.toFixed(4)])))}`);
    assert.ok((s.model ?? 0) > PSI_ALERT, `model PSI ${s.model}`);
  });
});
