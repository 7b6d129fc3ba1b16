import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parseNvidiaSmi, queryGpuMemory } from '../../../../src/observe/memory/gpu-memory.js';
import { MemoryMetrics } from '../../../../src/observe/metrics/memory-metrics.js';
import { publishModelState } from '../../../../src/observe/events.js';
import { MODELS_DIR } from '../../../helpers/paths.js';

test('parses nvidia-smi CSV into bytes per device', () => {
  const gpus = parseNvidiaSmi('0, GPU-aaaa, NVIDIA H200, 1024, 143771\n1, GPU-bbbb, NVIDIA H200, 0, 143771\n');
  assert.deepEqual(gpus.map((g) => [g.index, g.uuid, g.usedBytes]), [
    [0, 'GPU-aaaa', 1024 * 1024 * 1024],
    [1, 'GPU-bbbb', 0],
  ]);
});

test('without nvidia-smi there are no GPU readings', async () => {
  assert.deepEqual(await queryGpuMemory('/nonexistent/nvidia-smi'), []);
});

test('exports GPU memory series only when a GPU is present', async () => {
  const none = new Registry();
  new MemoryMetrics(none, { queryGpus: async () => [] });
  assert.doesNotMatch(await none.metrics(), /layerscope_gpu_memory_used_bytes\{/);
  const one = new Registry();
  new MemoryMetrics(one, { queryGpus: async () => parseNvidiaSmi('0, GPU-aaaa, H200, 2, 4') });
  const text = await one.metrics();
  assert.match(text, /layerscope_gpu_memory_used_bytes\{gpu_uuid="GPU-aaaa",gpu="0"\} 2097152/);
  assert.match(text, /layerscope_gpu_memory_total_bytes\{gpu_uuid="GPU-aaaa",gpu="0"\} 4194304/);
});

test('reports the weight bytes of a model version when it becomes READY', async () => {
  const registry = new Registry();
  const metrics = new MemoryMetrics(registry, { queryGpus: async () => [] }).start();
  try {
    publishModelState({ model: 'digits-cnn', version: '1', state: 'READY', reason: '', path: join(MODELS_DIR, 'digits-cnn', '1', 'model.onnx') });
    let text = '';
    for (let i = 0; i < 50 && !/layerscope_model_weights_bytes\{/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 20));
      text = await registry.metrics();
    }
    assert.match(text, /layerscope_model_weights_bytes\{model="digits-cnn",version="1"\} 153896/);
  } finally {
    metrics.stop();
  }
});
