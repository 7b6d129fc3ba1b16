import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInferRequest, encodeInferResponse } from '../../../src/protocol/v2/json-codec.js';
import { buildResponseBody, parseRequestJson, splitInferBody } from '../../../src/protocol/v2/binary-body.js';
import type { DataType } from '../../../src/types/datatype.js';
import type { Tensor } from '../../../src/types/tensor.js';
import { binaryBody, bytesBlob, le } from './wire.js';

interface Sample {
  readonly datatype: DataType;
  /** JSON `data` (absent: JSON is not allowed for this datatype). */
  readonly json?: unknown[];
  /** The storage the JSON decodes to, and the binary form's source. */
  readonly storage: ArrayBufferView | readonly string[];
}

const SAMPLES: readonly Sample[] = [
  { datatype: 'BOOL', json: [true, false, true, true], storage: Uint8Array.from([1, 0, 1, 1]) },
  { datatype: 'UINT8', json: [0, 255, 7, 128], storage: Uint8Array.from([0, 255, 7, 128]) },
  { datatype: 'UINT16', json: [0, 65535, 7, 300], storage: Uint16Array.from([0, 65535, 7, 300]) },
  { datatype: 'UINT32', json: [0, 4294967295, 7, 1e9], storage: Uint32Array.from([0, 4294967295, 7, 1e9]) },
  {
    datatype: 'UINT64',
    json: [0, 2 ** 53 - 1, 7, 2 ** 60],
    storage: BigUint64Array.from([0n, 2n ** 53n - 1n, 7n, 2n ** 60n]),
  },
  { datatype: 'INT8', json: [-128, 127, 0, -1], storage: Int8Array.from([-128, 127, 0, -1]) },
  { datatype: 'INT16', json: [-32768, 32767, 0, -1], storage: Int16Array.from([-32768, 32767, 0, -1]) },
  {
    datatype: 'INT32',
    json: [-2147483648, 2147483647, 0, -1],
    storage: Int32Array.from([-2147483648, 2147483647, 0, -1]),
  },
  {
    datatype: 'INT64',
    json: [-(2 ** 53 - 1), 2 ** 53 - 1, 0, -1],
    storage: BigInt64Array.from([-(2n ** 53n - 1n), 2n ** 53n - 1n, 0n, -1n]),
  },
  {
    datatype: 'FP32',
    json: [1.5, -0.25, 3.4028234663852886e38, 2 ** -149],
    storage: Float32Array.from([1.5, -0.25, 3.4028234663852886e38, 2 ** -149]),
  },
  { datatype: 'FP64', json: [Math.PI, -1e308, 5e-324, 0], storage: Float64Array.from([Math.PI, -1e308, 5e-324, 0]) },
  { datatype: 'FP16', storage: Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]) },
  { datatype: 'BF16', storage: Uint16Array.from([0x3f80, 0xbf80, 0x7f7f, 0x0001]) },
  { datatype: 'BYTES', json: ['ab', '', 'héllo', '\u0000x'], storage: ['ab', '', 'héllo', '\u0000x'] },
];

const target = { modelName: 'm', modelVersion: '3' };

function blobOf(sample: Sample): Uint8Array {
  return Array.isArray(sample.storage) ? bytesBlob(sample.storage as string[]) : le(sample.storage as ArrayBufferView);
}

function assertStorage(tensor: Tensor | undefined, sample: Sample): void {
  assert.ok(tensor);
  if (Array.isArray(sample.storage)) {
    assert.deepEqual(
      (tensor.data as Uint8Array[]).map((b) => Buffer.from(b).toString('utf8')),
      sample.storage,
    );
  } else {
    assert.deepEqual(tensor.data, sample.storage);
  }
}

describe('every datatype round-trips', () => {
  for (const sample of SAMPLES.filter((s) => s.json !== undefined)) {
    it(`${sample.datatype} as JSON: request data decodes and encodes back to the same values`, () => {
      const request = decodeInferRequest(
        {
          inputs: [
            {
              name: 'X',
              shape: [2, 2],
              datatype: sample.datatype,
              data: [sample.json?.slice(0, 2), sample.json?.slice(2)],
            },
          ],
        },
        undefined,
        target,
      );
      assertStorage(request.inputs[0], sample);
      const tensor = request.inputs[0] as Tensor;
      const encoded = encodeInferResponse({
        modelName: 'm',
        modelVersion: '3',
        outputs: [{ ...tensor, name: 'Y', binary: false }],
      });
      const json = JSON.parse(encoded.header) as {
        outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[];
      };
      assert.deepEqual(json.outputs[0], { name: 'Y', datatype: sample.datatype, shape: [2, 2], data: sample.json });
    });
  }

  for (const sample of SAMPLES) {
    it(`${sample.datatype} as binary: a tritonclient-style body decodes and the response blob matches the request blob`, () => {
      const blob = blobOf(sample);
      const { body, headerLength } = binaryBody(
        {
          inputs: [
            { name: 'X', shape: [4], datatype: sample.datatype, parameters: { binary_data_size: blob.byteLength } },
          ],
        },
        [blob],
      );
      const split = splitInferBody(body, headerLength);
      assert.equal(split.kind, 'json');
      if (split.kind !== 'json') return;
      const request = decodeInferRequest(parseRequestJson(split.header), split.binary, target);
      assertStorage(request.inputs[0], sample);
      const tensor = request.inputs[0] as Tensor;
      const built = buildResponseBody(
        encodeInferResponse({ modelName: 'm', modelVersion: '3', outputs: [{ ...tensor, binary: true }] }),
      );
      assert.equal(built.contentType, 'application/octet-stream');
      const json = JSON.parse(built.body.subarray(0, built.headerLength).toString()) as {
        outputs: { parameters: { binary_data_size: number } }[];
      };
      assert.equal(json.outputs[0]?.parameters.binary_data_size, blob.byteLength);
      assert.deepEqual(built.body.subarray(built.headerLength), Buffer.from(blob));
    });
  }
});
