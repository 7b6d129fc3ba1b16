import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelMetadata, serverMetadata } from '../../../src/protocol/v2/metadata.js';
import { REPO_ROOT } from '../../helpers/paths.js';

describe('serverMetadata', () => {
  it('names layerscope with the package version and the given extensions array', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const extensions = ['binary_tensor_data', 'model_configuration'];
    const metadata = serverMetadata(extensions);
    assert.deepEqual(metadata, { name: 'layerscope', version: pkg.version, extensions });
    assert.notEqual(metadata.extensions, extensions);
  });

  it('uses an explicit version and always returns an extensions array', () => {
    assert.deepEqual(serverMetadata([], '9.9.9'), { name: 'layerscope', version: '9.9.9', extensions: [] });
  });
});

describe('modelMetadata', () => {
  const model = {
    name: 'add_sub',
    versions: ['1'],
    platform: 'onnxruntime_onnx',
    inputs: [
      { name: 'INPUT0', datatype: 'FP32', dims: [16] },
      { name: 'INPUT1', datatype: 'FP32', dims: [16] },
    ],
    outputs: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [16] }],
  } as const;

  it('prepends a -1 batch dim when max_batch_size is at least 1, matching the reference example', () => {
    assert.equal(
      JSON.stringify(modelMetadata({ ...model, maxBatchSize: 8 })),
      '{"name":"add_sub","versions":["1"],"platform":"onnxruntime_onnx",' +
        '"inputs":[{"name":"INPUT0","datatype":"FP32","shape":[-1,16]},{"name":"INPUT1","datatype":"FP32","shape":[-1,16]}],' +
        '"outputs":[{"name":"OUTPUT0","datatype":"FP32","shape":[-1,16]}]}',
    );
  });

  it('keeps the config dims as they are for a model that does not batch', () => {
    const metadata = modelMetadata({ ...model, maxBatchSize: 0, versions: ['1', '3'] });
    assert.deepEqual(metadata.inputs[0], { name: 'INPUT0', datatype: 'FP32', shape: [16] });
    assert.deepEqual(metadata.versions, ['1', '3']);
  });
});
