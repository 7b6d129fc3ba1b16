import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Histogram, Registry } from 'prom-client';
import { ACTIVATION_BUCKETS } from '../../../../src/observe/activations/activation-buckets.js';
import { summarizeLayer } from '../../../../src/observe/activations/layer-summary.js';
import { ActivationHistogram } from '../../../../src/observe/metrics/activation-histogram.js';

/** `name{labels} value` lines → map keyed by name and sorted labels. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `unparsable line: ${line}`);
    const labels = (match[2] ?? '').split(',').filter(Boolean).sort().join(',');
    out.set(`${match[1]}{${labels}}`, Number(match[3]));
  }
  return out;
}

describe('ActivationHistogram exposition', () => {
  test('writes cumulative buckets ending in +Inf, then _sum and _count, in Prometheus text format', async () => {
    const registry = new Registry();
    const histogram = new ActivationHistogram({ name: 'demo', help: 'A demo.', labelNames: ['layer'], buckets: [-1, 0, 1], registers: [registry] });
    histogram.add({ layer: 'fc1' }, [1, 2, 3, 4], 12.5);
    histogram.add({ layer: 'fc1' }, [0, 0, 1, 0], 0.5);
    assert.equal(
      await registry.metrics(),
      [
        '# HELP demo A demo.',
        '# TYPE demo histogram',
        'demo_bucket{layer="fc1",le="-1"} 1',
        'demo_bucket{layer="fc1",le="0"} 3',
        'demo_bucket{layer="fc1",le="1"} 7',
        'demo_bucket{layer="fc1",le="+Inf"} 11',
        'demo_sum{layer="fc1"} 13',
        'demo_count{layer="fc1"} 11',
        '',
      ].join('\n'),
    );
  });

  test("matches prom-client's own Histogram fed the same values one by one", async () => {
    // Values stay within ±1000: prom-client 15 files a value above every bound under key -1,
    // the same key as a `-1` bound, so its own Histogram miscounts exactly these buckets.
    const values = Float32Array.from({ length: 2000 }, (_, i) => Math.max(-999, Math.min(999, Math.tan(i) * 10 ** ((i % 7) - 3))));
    const ours = new Registry();
    const theirs = new Registry();
    const labelNames = ['model', 'version', 'layer'] as const;
    const labels = { model: 'm', version: '1', layer: 'encoder/layers.0' };
    const bulk = new ActivationHistogram({ name: 'layerscope_layer_activation', help: 'h', labelNames, buckets: ACTIVATION_BUCKETS, registers: [ours] });
    const summary = summarizeLayer(values);
    bulk.add(labels, summary.buckets, summary.sum);
    const reference = new Histogram({ name: 'layerscope_layer_activation', help: 'h', labelNames, buckets: [...ACTIVATION_BUCKETS], registers: [theirs] });
    for (const v of values) reference.observe(labels, v);
    const a = samples(await ours.metrics());
    const b = samples(await theirs.metrics());
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [key, value] of b) assert.ok(Math.abs((a.get(key) ?? NaN) - value) <= 1e-6 * Math.max(1, Math.abs(value)), `${key}: ${a.get(key)} vs ${value}`);
  });

  test('passes promtool check metrics when promtool is installed', async (t) => {
    const registry = new Registry();
    const histogram = new ActivationHistogram({ name: 'layerscope_layer_activation', help: 'Activation values.', labelNames: ['model', 'version', 'layer'], buckets: ACTIVATION_BUCKETS, registers: [registry] });
    histogram.add({ model: 'm', version: '1', layer: 'a' }, summarizeLayer(Float32Array.of(-2, 0, 0.5, 7e3)).buckets, 7e3 - 1.5);
    histogram.zero({ model: 'm', version: '1', layer: 'b' });
    const result = spawnSync('promtool', ['check', 'metrics'], { input: await registry.metrics(), encoding: 'utf8' });
    if (result.error) {
      t.skip('promtool not installed');
      return;
    }
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  test('drops the series of one model version and nothing else', async () => {
    const registry = new Registry();
    const histogram = new ActivationHistogram({ name: 'h', help: 'h', labelNames: ['model', 'version'], buckets: [0], registers: [registry] });
    histogram.add({ model: 'a', version: '1' }, [1, 1], 1);
    histogram.add({ model: 'a', version: '2' }, [1, 1], 1);
    histogram.removeMatching({ model: 'a', version: '1' });
    const text = await registry.metrics();
    assert.ok(!text.includes('version="1"'));
    assert.ok(text.includes('version="2"'));
  });

  test('rejects bucket counts that do not fit its buckets', () => {
    const histogram = new ActivationHistogram({ name: 'h', help: 'h', labelNames: [], buckets: [0, 1], registers: [] });
    assert.throws(() => histogram.add({}, [1, 2], 0), /expected 3 bucket counts, got 2/);
    assert.throws(() => new ActivationHistogram({ name: 'x', help: 'x', labelNames: [], buckets: [1, 1], registers: [] }), /strictly ascending/);
  });

  test('serves JSON through the registry like the built-in metrics', async () => {
    const registry = new Registry();
    const histogram = new ActivationHistogram({ name: 'h', help: 'h', labelNames: ['layer'], buckets: [0], registers: [registry] });
    histogram.add({ layer: 'x' }, [2, 1], 3);
    const [json] = await registry.getMetricsAsJSON();
    assert.equal(json?.type as unknown, 'histogram');
    assert.equal(json?.values.length, 4);
  });
});
