import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { summarizeLayer } from '../../../../src/observe/activations/layer-summary.js';
import { SummaryWindow } from '../../../../src/observe/activations/summary-window.js';
import { ActivationDriftMetrics } from '../../../../src/observe/metrics/activation-drift-metrics.js';
import { ActivationMetrics } from '../../../../src/observe/metrics/activation-metrics.js';

const MODEL = { model: 'm', version: '1' };

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('ActivationMetrics', () => {
  test('exposes histogram, summary gauges, zero fraction, non-finite counts and bytes per layer', async () => {
    const registry = new Registry();
    const metrics = new ActivationMetrics(registry);
    metrics.layersReady(MODEL, [{ name: 'relu', tensor: '/relu/Relu_output_0', datatype: 'FP32' }]);
    const batch = summarizeLayer(Float32Array.of(0, 0, 2, 4, NaN, Infinity));
    metrics.observed(MODEL, [{ layer: 'relu', batch, window: new SummaryWindow().push(batch), bytesPerRow: 24 }]);
    metrics.peakBytes(MODEL, 24 * 64);
    const text = await registry.metrics();
    const l = '{model="m",version="1",layer="relu"}';
    assert.equal(value(text, `layerscope_layer_activation_count${l}`), 4);
    assert.equal(value(text, `layerscope_layer_activation_sum${l}`), 6);
    assert.equal(value(text, `layerscope_layer_activation_mean${l}`), 1.5);
    assert.equal(value(text, `layerscope_layer_activation_min${l}`), 0);
    assert.equal(value(text, `layerscope_layer_activation_max${l}`), 4);
    assert.equal(value(text, `layerscope_layer_zero_fraction${l}`), 0.5);
    assert.equal(value(text, `layerscope_layer_activation_bytes${l}`), 24);
    assert.equal(value(text, 'layerscope_layer_nonfinite_total{model="m",version="1",layer="relu",kind="nan"}'), 1);
    assert.equal(value(text, 'layerscope_layer_nonfinite_total{model="m",version="1",layer="relu",kind="inf"}'), 1);
    assert.equal(value(text, 'layerscope_activation_peak_bytes{model="m",version="1"}'), 1536);
  });

  test('pre-creates the non-finite counters at 0 for every observed layer', async () => {
    const registry = new Registry();
    new ActivationMetrics(registry).layersReady(MODEL, [{ name: 'a', tensor: 't', datatype: null }]);
    const text = await registry.metrics();
    assert.equal(value(text, 'layerscope_layer_nonfinite_total{model="m",version="1",layer="a",kind="nan"}'), 0);
    assert.equal(value(text, 'layerscope_layer_activation_count{model="m",version="1",layer="a"}'), 0);
  });

  test('drops every series of a model version that is removed', async () => {
    const registry = new Registry();
    const metrics = new ActivationMetrics(registry);
    const drift = new ActivationDriftMetrics(registry);
    const batch = summarizeLayer(Float32Array.of(1));
    metrics.layersReady(MODEL, [{ name: 'a', tensor: 't', datatype: 'FP32' }]);
    metrics.observed(MODEL, [{ layer: 'a', batch, window: new SummaryWindow().push(batch), bytesPerRow: 4 }]);
    metrics.peakBytes(MODEL, 4);
    drift.scores(MODEL, new Map([['a', 0.3]]), 0.3);
    metrics.removed(MODEL);
    drift.removed(MODEL);
    assert.ok(!(await registry.metrics()).includes('model="m"'));
  });
});

describe('ActivationDriftMetrics', () => {
  test('exposes each layer score and the model score', async () => {
    const registry = new Registry();
    new ActivationDriftMetrics(registry).scores(MODEL, new Map([['a', 0.02], ['b', 0.4]]), 0.4);
    const text = await registry.metrics();
    assert.equal(value(text, 'layerscope_layer_drift_score{model="m",version="1",layer="b"}'), 0.4);
    assert.equal(value(text, 'layerscope_model_drift_score{model="m",version="1"}'), 0.4);
  });
});
