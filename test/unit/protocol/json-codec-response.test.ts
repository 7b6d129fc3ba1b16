import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeInferResponse } from '../../../src/protocol/v2/json-codec.js';
import { buildResponseBody } from '../../../src/protocol/v2/binary-body.js';
import type { InferResponse, ResponseOutput } from '../../../src/types/infer.js';
import { assertServingError, bytesBlob, le } from './wire.js';

function response(outputs: ResponseOutput[], extra: Partial<InferResponse> = {}): InferResponse {
  return { modelName: 'add_sub', modelVersion: '1', outputs, ...extra };
}

const int32Out: ResponseOutput = {
  name: 'OUTPUT0',
  datatype: 'INT32',
  shape: [1, 4],
  data: new Int32Array([2, 3, 4, 5]),
  binary: false,
};

describe('encodeInferResponse', () => {
  it('writes the reference JSON response byte for byte', () => {
    const encoded = encodeInferResponse(response([int32Out], { id: 'r1' }));
    assert.equal(
      encoded.header,
      '{"id":"r1","model_name":"add_sub","model_version":"1","outputs":[{"name":"OUTPUT0","datatype":"INT32","shape":[1,4],"data":[2,3,4,5]}]}',
    );
    assert.deepEqual(encoded.binary, []);
  });

  it('omits id when it is absent or empty and always writes model_version as a string', () => {
    for (const id of [undefined, '']) {
      const json = JSON.parse(
        encodeInferResponse(response([int32Out], id === undefined ? {} : { id })).header,
      ) as Record<string, unknown>;
      assert.equal('id' in json, false);
      assert.equal(json.model_version, '1');
      assert.equal(json.model_name, 'add_sub');
    }
  });

  it('writes response parameters only when there are some', () => {
    assert.equal(encodeInferResponse(response([int32Out], { parameters: {} })).header.includes('"parameters"'), false);
    const json = JSON.parse(
      encodeInferResponse(response([int32Out], { parameters: { sequence_end: true } })).header,
    ) as Record<string, unknown>;
    assert.deepEqual(json.parameters, { sequence_end: true });
  });

  it('gives JSON outputs no parameters key and binary outputs only binary_data_size', () => {
    const fp = new Float32Array([0.5, 1.5]);
    const encoded = encodeInferResponse(
      response([int32Out, { name: 'OUTPUT1', datatype: 'FP32', shape: [2], data: fp, binary: true }]),
    );
    const json = JSON.parse(encoded.header) as { outputs: Record<string, unknown>[] };
    assert.equal('parameters' in (json.outputs[0] as object), false);
    assert.deepEqual(json.outputs[1], {
      name: 'OUTPUT1',
      datatype: 'FP32',
      shape: [2],
      parameters: { binary_data_size: 8 },
    });
    assert.equal('data' in (json.outputs[1] as object), false);
  });

  it('writes FP32 as the double value of the float, BOOL as true/false and BYTES as strings', () => {
    const encoded = encodeInferResponse(
      response([
        { name: 'F', datatype: 'FP32', shape: [2], data: new Float32Array([0.1, -2]), binary: false },
        { name: 'B', datatype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]), binary: false },
        { name: 'S', datatype: 'BYTES', shape: [2], data: [Buffer.from('héllo'), Buffer.from('"q"')], binary: false },
      ]),
    );
    assert.ok(encoded.header.includes('"data":[0.10000000149011612,-2]'), encoded.header);
    assert.ok(encoded.header.includes('"data":[true,false,true]'), encoded.header);
    assert.ok(encoded.header.includes('"data":["héllo","\\"q\\""]'), encoded.header);
  });

  it('writes INT64 and UINT64 values beyond 2^53 as exact digits', () => {
    const encoded = encodeInferResponse(
      response([
        {
          name: 'I',
          datatype: 'INT64',
          shape: [3],
          data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, 7n]),
          binary: false,
        },
        { name: 'U', datatype: 'UINT64', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]), binary: false },
      ]),
    );
    assert.ok(encoded.header.includes('"data":[-9223372036854775808,9223372036854775807,7]'), encoded.header);
    assert.ok(encoded.header.includes('"data":[18446744073709551615]'), encoded.header);
  });

  it('writes NaN and Infinity bare, as Triton does', () => {
    const encoded = encodeInferResponse(
      response([
        {
          name: 'F',
          datatype: 'FP64',
          shape: [4],
          data: new Float64Array([NaN, Infinity, -Infinity, 1.5]),
          binary: false,
        },
      ]),
    );
    assert.ok(encoded.header.includes('"data":[NaN,Infinity,-Infinity,1.5]'), encoded.header);
  });

  it('rejects FP16 and BF16 outputs requested as JSON, naming the output', () => {
    for (const datatype of ['FP16', 'BF16'] as const) {
      assertServingError(
        () =>
          encodeInferResponse(
            response([{ name: 'H', datatype, shape: [1], data: new Uint16Array([0x3c00]), binary: false }]),
          ),
        'LS_ERR_OUTPUT_JSON_UNSUPPORTED_TYPE',
        [`sending ${datatype} data via JSON is not supported`, "output 'H'"],
      );
    }
  });

  it('appends binary blobs in output order with BYTES length-prefixed and FP16 raw', () => {
    const half = new Uint16Array([0x3c00, 0xc000]);
    const encoded = encodeInferResponse(
      response([
        { name: 'S', datatype: 'BYTES', shape: [2], data: [Buffer.from('ab'), new Uint8Array(0)], binary: true },
        int32Out,
        { name: 'H', datatype: 'FP16', shape: [2], data: half, binary: true },
      ]),
    );
    assert.deepEqual(
      encoded.binary.map((b) => Buffer.from(b)),
      [Buffer.from(bytesBlob(['ab', ''])), Buffer.from(le(half))],
    );
    const json = JSON.parse(encoded.header) as { outputs: { parameters?: { binary_data_size: number } }[] };
    assert.deepEqual(
      json.outputs.map((o) => o.parameters?.binary_data_size),
      [10, undefined, 4],
    );
  });
});

describe('buildResponseBody', () => {
  it('sends mixed outputs as octet-stream with the exact JSON byte length as header length', () => {
    const a = new Float32Array([1, 2, 3]);
    const c = new Int8Array([-1, 1]);
    const encoded = encodeInferResponse(
      response(
        [
          { name: 'Ä', datatype: 'FP32', shape: [3], data: a, binary: true },
          { name: 'B', datatype: 'INT32', shape: [1], data: new Int32Array([4]), binary: false },
          { name: 'C', datatype: 'INT8', shape: [2], data: c, binary: true },
        ],
        { id: 'ü' },
      ),
    );
    const built = buildResponseBody(encoded);
    const headerBytes = Buffer.from(encoded.header, 'utf8');
    assert.equal(built.contentType, 'application/octet-stream');
    assert.equal(built.headerLength, headerBytes.byteLength);
    assert.equal(built.headerLength, encoded.header.length + 2, 'Ä and ü take two UTF-8 bytes each');
    assert.deepEqual(built.body, Buffer.concat([headerBytes, le(a), le(c)]));
    // What tritonclient does: slice at the header length, then take blobs in JSON order.
    const json = JSON.parse(built.body.subarray(0, built.headerLength).toString('utf8')) as {
      outputs: { name: string }[];
    };
    assert.deepEqual(
      json.outputs.map((o) => o.name),
      ['Ä', 'B', 'C'],
    );
    assert.deepEqual(
      new Float32Array(
        built.body.buffer.slice(
          built.body.byteOffset + headerBytes.byteLength,
          built.body.byteOffset + headerBytes.byteLength + 12,
        ),
      ),
      a,
    );
  });

  it('sends JSON-only responses as application/json with no header length', () => {
    const built = buildResponseBody(encodeInferResponse(response([int32Out])));
    assert.equal(built.contentType, 'application/json');
    assert.equal(built.headerLength, undefined);
    assert.equal('headerLength' in built, false);
    assert.deepEqual(
      JSON.parse(built.body.toString('utf8')),
      JSON.parse(encodeInferResponse(response([int32Out])).header),
    );
  });

  it('lists zero-length binary outputs with size 0 but sends them as JSON-only bodies', () => {
    const encoded = encodeInferResponse(
      response([{ name: 'E', datatype: 'FP32', shape: [0, 3], data: new Float32Array(0), binary: true }]),
    );
    assert.ok(encoded.header.includes('"shape":[0,3],"parameters":{"binary_data_size":0}'), encoded.header);
    assert.deepEqual(encoded.binary, []);
    const built = buildResponseBody(encoded);
    assert.equal(built.contentType, 'application/json');
    assert.equal(built.headerLength, undefined);
  });
});
