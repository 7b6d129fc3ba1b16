import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectObservedLayers } from '../../../../src/observe/activations/observed-layers.js';
import {
  BASELINE_FORMAT,
  buildLayerBaseline,
  float32Decimal,
  parseBaseline,
  readBaselineFile,
  runtimeEdges,
  serializeBaseline,
  type Baseline,
} from '../../../../src/observe/drift/baseline.js';
import { binShares } from '../../../../src/observe/drift/quantile-bins.js';
import { seededRandom, ValueReservoir } from '../../../../src/observe/drift/sampling.js';
import { readModelFile } from '../../../../src/onnx/graph-reader.js';
import { parseModelConfig } from '../../../../src/repository/model-config.js';
import { MODELS_DIR } from '../../../helpers/paths.js';

const SHIPPED = ['breast-cancer-mlp', 'digits-cnn', 'digits-transformer'];

function reservoirOf(values: ArrayLike<number>): ValueReservoir {
  const reservoir = new ValueReservoir(100_000, seededRandom(9));
  for (let i = 0; i < values.length; i++) reservoir.add(values[i] as number);
  return reservoir;
}

function baselineOf(values: Float32Array): Baseline {
  return { format: BASELINE_FORMAT, model: 'm', version: '1', source: 'test', rows: values.length, layers: { fc: buildLayerBaseline('/fc/out', reservoirOf(values)) } };
}

describe('baseline', () => {
  test('survives a round trip through baseline.json text unchanged', () => {
    const random = seededRandom(5);
    const values = Float32Array.from({ length: 5000 }, () => random() * 4 - 1);
    const baseline = baselineOf(values);
    assert.deepEqual(parseBaseline(serializeBaseline(baseline)), baseline);
  });

  test('stores shares that the stored edges reproduce on the data, even for float32 values on an edge', () => {
    // 0.3 is not a float32: the atom at Math.fround(0.3) must stay in the bin its edge closes.
    const values = Float32Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? 0.3 : (i % 100) / 7));
    const parsed = parseBaseline(serializeBaseline(baselineOf(values)));
    const layer = parsed.layers['fc'];
    assert.ok(layer);
    const shares = binShares(runtimeEdges(layer.edges), values);
    shares.forEach((s, i) => assert.ok(Math.abs(s - (layer.shares[i] as number)) < 1e-5, `bin ${i}: ${s} vs ${layer.shares[i]}`));
  });

  test('writes edges as the shortest decimal of their float32 value', () => {
    assert.equal(float32Decimal(Math.fround(0.1)), 0.1);
    assert.equal(float32Decimal(0.30000001192092896), 0.3);
    assert.equal(Math.fround(float32Decimal(1.0534743)), Math.fround(1.0534743));
  });

  test('rejects a baseline of another format, naming the problem', () => {
    assert.throws(() => parseBaseline('{"format": "v0"}'), /invalid baseline: .*format/);
    assert.throws(() => parseBaseline('not json'), /not valid JSON/);
  });

  test('rejects shares that do not fit the edges and edges out of order', () => {
    const good = baselineOf(Float32Array.from({ length: 100 }, (_, i) => i));
    const layer = good.layers['fc'];
    assert.ok(layer);
    const tooFew = { ...good, layers: { fc: { ...layer, shares: layer.shares.slice(1) } } };
    assert.throws(() => parseBaseline(JSON.stringify(tooFew)), /one entry more than edges/);
    const unordered = { ...good, layers: { fc: { ...layer, edges: [...layer.edges].reverse() } } };
    assert.throws(() => parseBaseline(JSON.stringify(unordered)), /strictly ascending/);
  });

  test('reads no baseline, without an error, when the file does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerscope-baseline-'));
    try {
      assert.equal(await readBaselineFile(join(dir, 'baseline.json')), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const model of SHIPPED) {
    test(`${model} ships a baseline.json under 50 KB for exactly the layers the server observes`, async () => {
      const path = join(MODELS_DIR, model, '1', 'baseline.json');
      assert.ok(statSync(path).size < 50 * 1024);
      const baseline = parseBaseline(readFileSync(path, 'utf8'));
      assert.equal(baseline.model, model);
      assert.equal(baseline.source, 'golden/test-split.json');
      const config = parseModelConfig(readFileSync(join(MODELS_DIR, model, 'config.json'), 'utf8'));
      assert.ok(config.ok);
      const graph = await readModelFile(join(MODELS_DIR, model, '1', 'model.onnx'));
      const observed = selectObservedLayers(graph, config.config.observe).layers;
      assert.deepEqual(Object.keys(baseline.layers), observed.map((l) => l.name));
      for (const l of observed) assert.equal(baseline.layers[l.name]?.tensor, l.outputTensor);
    });
  }
});
