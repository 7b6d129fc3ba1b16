import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRequest } from '../../../src/dataplane/validate.js';
import { ServingError } from '../../../src/errors/serving-error.js';
import type { ResolvedModelConfig } from '../../../src/repository/derive-config.js';
import { dynamicBatchingSchema, modelConfigSchema } from '../../../src/repository/model-config.js';
import type { InferRequest } from '../../../src/types/infer.js';

const config: ResolvedModelConfig = {
  name: 'fake',
  platform: 'onnxruntime_onnx',
  maxBatchSize: 4,
  inputs: [{ name: 'x', datatype: 'FP32', dims: [2] }],
  outputs: [{ name: 'y', datatype: 'FP32', dims: [2] }],
  dynamicBatching: dynamicBatchingSchema.parse({}),
  file: modelConfigSchema.parse({}),
};

const request = (rows: number): InferRequest => ({
  modelName: 'fake',
  inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 2], data: new Float32Array(rows * 2) }],
  parameters: {},
});

test('rejects a request with more rows than max_batch_size as an invalid argument before it is queued', () => {
  assert.throws(
    () => validateRequest(config, request(5)),
    (error: unknown) => {
      assert.ok(error instanceof ServingError);
      assert.equal(error.code, 'LS_ERR_BATCH_TOO_LARGE');
      assert.equal(error.kind, 'invalid_argument');
      assert.deepEqual(error.params, { model: 'fake', expected: 4, received: 5 });
      return true;
    },
  );
});

test('accepts a request of exactly max_batch_size rows and reports its rows', () => {
  assert.equal(validateRequest(config, request(4)).rows, 4);
});
