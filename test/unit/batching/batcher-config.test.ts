import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBatcherConfig, EMPTY_DYNAMIC_BATCHING } from '../../../src/batching/batcher-config.js';
import type { ResolvedModelConfig } from '../../../src/repository/derive-config.js';
import { dynamicBatchingSchema, modelConfigSchema } from '../../../src/repository/model-config.js';

const model = (maxBatchSize: number, batching?: object): ResolvedModelConfig => ({
  name: 'm',
  platform: 'onnxruntime_onnx',
  maxBatchSize,
  inputs: [],
  outputs: [],
  file: modelConfigSchema.parse({}),
  ...(batching ? { dynamicBatching: dynamicBatchingSchema.parse(batching) } : {}),
});

test('the built-in empty dynamic_batching matches what the schema makes of {}', () => {
  assert.deepEqual(EMPTY_DYNAMIC_BATCHING, dynamicBatchingSchema.parse({}));
});

test('a dynamically batching model batches up to max_batch_size rows and its largest preferred size', () => {
  const config = compileBatcherConfig(
    model(16, { preferred_batch_size: [4, 8], max_queue_delay_microseconds: 250, preserve_ordering: true }),
  );
  assert.equal(config.maxRows, 16);
  assert.equal(config.maxRequests, Number.POSITIVE_INFINITY);
  assert.equal(config.maxPreferredRows, 8);
  assert.deepEqual([...config.preferredRows], [4, 8]);
  assert.equal(config.delayNs, 250_000n);
  assert.equal(config.preserveOrdering, true);
});

test('a model without dynamic_batching runs one request per execution with the default queue policy', () => {
  for (const config of [compileBatcherConfig(model(0)), compileBatcherConfig(model(8)), compileBatcherConfig(model(0, {}))]) {
    assert.equal(config.maxRequests, 1);
    assert.equal(config.delayNs, 0n);
    assert.equal(config.policies.levels.length, 1);
    assert.deepEqual(config.policies.levels[0], { maxQueueSize: 0, timeoutNs: 0n, allowOverride: false, delayOnTimeout: false });
  }
});
