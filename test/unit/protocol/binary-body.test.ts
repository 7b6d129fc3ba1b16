import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import {
  chooseResponseEncoding,
  compressBody,
  decodeRawInput,
  decompressBody,
  parseRequestJson,
  splitInferBody,
} from '../../../src/protocol/v2/binary-body.js';
import { decodeInferRequest } from '../../../src/protocol/v2/json-codec.js';
import type { TensorSpec } from '../../../src/types/model.js';
import { assertServingError, binaryBody, le, unaligned } from './wire.js';

const target = { modelName: 'm' };

describe('splitInferBody', () => {
  const json = Buffer.from('{"inputs":[]}');

  it('treats the whole body as JSON when the header is absent', () => {
    assert.deepEqual(splitInferBody(json, undefined), { kind: 'json', header: json, binary: undefined });
  });

  it('treats the whole body as JSON when the header equals the body length, as the C++ client sends it', () => {
    assert.deepEqual(splitInferBody(json, String(json.byteLength)), { kind: 'json', header: json, binary: undefined });
  });

  it('splits JSON and binary at the header length', () => {
    const body = Buffer.concat([json, Buffer.from([1, 2, 3])]);
    const split = splitInferBody(body, String(json.byteLength));
    assert.equal(split.kind, 'json');
    if (split.kind !== 'json') return;
    assert.equal(split.header.toString(), '{"inputs":[]}');
    assert.deepEqual(split.binary, Buffer.from([1, 2, 3]));
  });

  it('marks a header length of 0 as a raw binary request', () => {
    const body = Buffer.from([1, 2, 3, 4]);
    assert.deepEqual(splitInferBody(body, '0'), { kind: 'raw', body });
    assert.deepEqual(splitInferBody(Buffer.alloc(0), '0'), { kind: 'raw', body: Buffer.alloc(0) });
  });

  it('rejects a header length beyond the body, negative or not an integer, naming the range and the value', () => {
    for (const bad of [String(json.byteLength + 1), '-1', 'abc', '1.5', '', '1e3', '0x10']) {
      assertServingError(() => splitInferBody(json, bad), 'LS_ERR_BINARY_HEADER_LENGTH', [
        `expected an integer in [0, ${json.byteLength}]`,
        `got ${JSON.stringify(bad)}`,
      ]);
    }
  });

  it('parses a split tritonclient-style body end to end', () => {
    const a = new Float32Array([1, 2]);
    const { body, headerLength } = binaryBody(
      {
        id: '42',
        inputs: [
          { name: 'A', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } },
          { name: 'B', shape: [1], datatype: 'BOOL', data: [true] },
        ],
        outputs: [{ name: 'Y', parameters: { binary_data: true } }],
      },
      [le(a)],
    );
    const split = splitInferBody(body, headerLength);
    assert.equal(split.kind, 'json');
    if (split.kind !== 'json') return;
    const request = decodeInferRequest(parseRequestJson(split.header), split.binary, target);
    assert.equal(request.id, '42');
    assert.deepEqual(request.inputs[0]?.data, a);
    assert.deepEqual(request.inputs[1]?.data, Uint8Array.from([1]));
  });

  it('rejects a header that is not JSON', () => {
    assertServingError(() => parseRequestJson(Buffer.from('{"inputs":')), 'LS_ERR_REQUEST_INVALID_JSON', [
      'failed to parse the request JSON',
    ]);
  });
});

describe('decodeRawInput', () => {
  const fp32 = (dims: number[]): TensorSpec => ({ name: 'IN', datatype: 'FP32', dims });

  it('deduces the one variable dim from the byte length, batch 1 when the model batches', () => {
    const values = new Float32Array([1, 2, 3, 4, 5, 6]);
    const request = decodeRawInput(unaligned(le(values)), [fp32([2, -1])], 8, { modelName: 'm', modelVersion: '2' });
    assert.deepEqual(request.inputs, [{ name: 'IN', datatype: 'FP32', shape: [1, 2, 3], data: values }]);
    assert.equal((request.inputs[0]?.data as Float32Array).byteOffset, 0);
    assert.equal(request.binaryOutput, true);
    assert.equal(request.modelVersion, '2');
    const unbatched = decodeRawInput(le(values), [fp32([-1])], 0, target);
    assert.deepEqual(unbatched.inputs[0]?.shape, [6]);
  });

  it('accepts a fixed shape whose byte size matches', () => {
    const request = decodeRawInput(new Uint8Array(16), [fp32([4])], 0, target);
    assert.deepEqual(request.inputs[0]?.shape, [4]);
  });

  it('takes a BYTES body as the one element of a [1] input', () => {
    const request = decodeRawInput(Buffer.from('hello'), [{ name: 'S', datatype: 'BYTES', dims: [1] }], 4, target);
    assert.deepEqual(request.inputs[0]?.shape, [1, 1]);
    assert.deepEqual(
      (request.inputs[0]?.data as Uint8Array[]).map((b) => Buffer.from(b).toString()),
      ['hello'],
    );
  });

  it('rejects a model with more than one input naming the model and the input count', () => {
    assertServingError(
      () => decodeRawInput(new Uint8Array(4), [fp32([1]), { ...fp32([1]), name: 'IN2' }], 0, target),
      'LS_ERR_BINARY_RAW_REQUEST',
      ["model 'm'", 'exactly one input', 'expected 1 input, got 2 inputs'],
    );
  });

  it('rejects two variable dims, a size that is not a multiple, a wrong fixed size and a BYTES input not shaped [1]', () => {
    assertServingError(
      () => decodeRawInput(new Uint8Array(16), [fp32([-1, -1])], 0, target),
      'LS_ERR_BINARY_RAW_REQUEST',
      ["input 'IN' cannot be deduced", 'at most one variable dim', 'got [-1,-1]'],
    );
    assertServingError(
      () => decodeRawInput(new Uint8Array(10), [fp32([2, -1])], 0, target),
      'LS_ERR_BINARY_RAW_REQUEST',
      ['a multiple of 8 bytes', 'got 10 bytes'],
    );
    assertServingError(() => decodeRawInput(new Uint8Array(12), [fp32([4])], 0, target), 'LS_ERR_BINARY_RAW_REQUEST', [
      'expected 16 bytes, got 12 bytes',
    ]);
    assertServingError(
      () => decodeRawInput(Buffer.from('x'), [{ name: 'S', datatype: 'BYTES', dims: [2] }], 0, target),
      'LS_ERR_BINARY_RAW_REQUEST',
      ["BYTES input 'S' needs model shape [1]", 'got [2]'],
    );
  });
});

describe('decompressBody and compressBody', () => {
  const body = Buffer.from(
    JSON.stringify({ inputs: [{ name: 'x', shape: [64], datatype: 'INT32', data: new Array(64).fill(3) }] }),
  );

  it('inflates gzip, zlib deflate and raw deflate request bodies', () => {
    assert.deepEqual(decompressBody(gzipSync(body), 'gzip'), body);
    assert.deepEqual(decompressBody(deflateSync(body), 'deflate'), body);
    assert.deepEqual(decompressBody(deflateRawSync(body), 'deflate'), body);
    assert.deepEqual(decompressBody(gzipSync(body), ' GZIP '), body);
  });

  it('passes identity and absent encodings through', () => {
    assert.equal(decompressBody(body, undefined), body);
    assert.equal(decompressBody(body, 'identity'), body);
    assert.equal(decompressBody(body, ''), body);
  });

  it('rejects an unsupported encoding as unsupported, naming it', () => {
    const error = assertServingError(() => decompressBody(body, 'br'), 'LS_ERR_CONTENT_ENCODING_UNSUPPORTED', [
      "'br'",
      'gzip, deflate or identity',
    ]);
    assert.equal(error.kind, 'unsupported');
  });

  it('rejects a corrupt compressed body', () => {
    assertServingError(() => decompressBody(body, 'gzip'), 'LS_ERR_CONTENT_ENCODING', ["'gzip'"]);
  });

  it('rejects a body that inflates beyond the limit', () => {
    assertServingError(
      () => decompressBody(gzipSync(Buffer.alloc(1 << 20)), 'gzip', { maxBytes: 1024 }),
      'LS_ERR_REQUEST_BODY_TOO_LARGE',
      ['1024 bytes'],
    );
  });

  it('compresses responses with gzip or deflate as Accept-Encoding asks', () => {
    const gz = compressBody(body, 'gzip');
    assert.equal(gz.encoding, 'gzip');
    assert.deepEqual(gunzipSync(gz.body), body);
    const df = compressBody(body, 'deflate');
    assert.equal(df.encoding, 'deflate');
    assert.deepEqual(inflateSync(df.body), body);
    assert.deepEqual(compressBody(body, undefined), { body, encoding: 'identity' });
  });

  it('chooses the coding by q-value, first listed on ties, with * and q=0 honoured', () => {
    const cases: [string | undefined, string][] = [
      [undefined, 'identity'],
      ['', 'identity'],
      ['gzip;q=0.5, deflate;q=0.8', 'deflate'],
      ['deflate, gzip', 'deflate'],
      ['gzip, deflate', 'gzip'],
      ['br, zstd', 'identity'],
      ['*', 'gzip'],
      ['deflate;q=0.5, *;q=0.9', 'gzip'],
      ['gzip;q=0', 'identity'],
      ['identity;q=1, gzip;q=0.5', 'identity'],
      ['GZip ; q=1.0', 'gzip'],
      ['*;q=0, deflate', 'deflate'],
    ];
    for (const [header, expected] of cases) assert.equal(chooseResponseEncoding(header), expected, String(header));
  });
});
