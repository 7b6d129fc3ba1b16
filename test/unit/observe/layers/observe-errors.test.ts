import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { getObserveErrors } from '../../../../src/observe/metrics/observe-errors.js';

test('registers the shared observe error counter once per registry, whoever asks first', async () => {
  const registry = new Registry();
  const profiler = getObserveErrors(registry);
  const activations = getObserveErrors(registry);
  assert.equal(profiler, activations);
  profiler.inc({ model: 'm', version: '1', component: 'profiler' });
  activations.inc({ model: 'm', version: '1', component: 'activations' }, 2);
  const text = await registry.metrics();
  assert.match(text, /layerscope_observe_errors_total\{model="m",version="1",component="profiler"\} 1/);
  assert.match(text, /layerscope_observe_errors_total\{model="m",version="1",component="activations"\} 2/);
  assert.notEqual(getObserveErrors(new Registry()), profiler, 'another registry has its own');
});
