import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../../../src/observe/drift/npy.js';
import { parseReferenceJson, readReferenceData } from '../../../../src/observe/drift/reference-data.js';

describe('reference data', () => {
  test('reads a V2 inference request body with flat or nested data', () => {
    const tensors = parseReferenceJson(
      JSON.stringify({
        inputs: [
          { name: 'a', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] },
          { name: 'b', shape: [2, 1], datatype: 'BOOL', data: [[true], [false]] },
        ],
      }),
    );
    assert.deepEqual(
      tensors.map((t) => [t.name, t.shape, [...t.data]]),
      [
        ['a', [2, 2], [1, 2, 3, 4]],
        ['b', [2, 1], [1, 0]],
      ],
    );
  });

  test('reads the {shape, data} form of golden/test-split.json as one unnamed input', () => {
    const [tensor] = parseReferenceJson('{"shape": [3, 2], "data": [1, 2, 3, 4, 5, 6], "labels": [0, 1, 0]}');
    assert.equal(tensor?.name, null);
    assert.deepEqual(tensor?.shape, [3, 2]);
  });

  test('rejects data that does not fill its shape, naming both counts', () => {
    assert.throws(() => parseReferenceJson('{"shape": [2, 3], "data": [1, 2]}'), /needs 6 values, "data" has 2/);
  });

  test('rejects an input with binary data or strings', () => {
    assert.throws(() => parseReferenceJson('{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "parameters": {"binary_data_size": 4}}]}'), /binary data is not supported/);
    assert.throws(() => parseReferenceJson('{"inputs": [{"name": "x", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}'), /holds a string/);
  });

  test('rejects JSON of neither form', () => {
    assert.throws(() => parseReferenceJson('[1, 2]'), /JSON object/);
    assert.throws(() => parseReferenceJson('{"rows": []}'), /V2 inference request/);
  });

  test('reads a .npy file by its extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerscope-ref-'));
    try {
      const path = join(dir, 'ref.npy');
      writeFileSync(path, encodeNpy({ shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }));
      const [tensor] = await readReferenceData(path);
      assert.deepEqual(tensor?.shape, [2, 2]);
      assert.deepEqual([...(tensor?.data ?? [])], [1, 2, 3, 4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
