import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInferRequest, wantsBinaryOutput } from '../../../src/protocol/v2/json-codec.js';
import type { InferRequest } from '../../../src/types/infer.js';
import { assertServingError, bytesBlob, le, unaligned } from './wire.js';

const target = { modelName: 'add_sub' };

function input(fields: Record<string, unknown>): Record<string, unknown> {
  return { name: 'INPUT0', shape: [1, 4], datatype: 'INT32', ...fields };
}

function decode(inputs: unknown[], extra: Record<string, unknown> = {}, binary?: Uint8Array): InferRequest {
  return decodeInferRequest({ inputs, ...extra }, binary, target);
}

describe('decodeInferRequest: structure', () => {
  it('decodes the reference JSON request into typed tensors', () => {
    const request = decodeInferRequest(
      {
        id: 'r1',
        inputs: [
          { name: 'INPUT0', shape: [1, 4], datatype: 'INT32', data: [[1, 2, 3, 4]] },
          { name: 'INPUT1', shape: [1, 4], datatype: 'INT32', data: [1, 1, 1, 1] },
        ],
        outputs: [{ name: 'OUTPUT0' }],
      },
      undefined,
      { modelName: 'add_sub', modelVersion: '1' },
    );
    assert.equal(request.id, 'r1');
    assert.equal(request.modelName, 'add_sub');
    assert.equal(request.modelVersion, '1');
    assert.deepEqual(request.outputs, [{ name: 'OUTPUT0' }]);
    assert.deepEqual(request.parameters, {});
    assert.equal(request.inputs.length, 2);
    assert.deepEqual(request.inputs[0], {
      name: 'INPUT0',
      datatype: 'INT32',
      shape: [1, 4],
      data: new Int32Array([1, 2, 3, 4]),
    });
    assert.deepEqual(request.inputs[1]?.data, new Int32Array([1, 1, 1, 1]));
  });

  it('decodes nested data the same as flat data', () => {
    const nested = decode([
      input({
        shape: [2, 2, 2],
        datatype: 'FP32',
        data: [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
        ],
      }),
    ]);
    const flat = decode([input({ shape: [2, 2, 2], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8] })]);
    assert.deepEqual(nested.inputs[0]?.data, new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.deepEqual(nested.inputs[0]?.data, flat.inputs[0]?.data);
  });

  it('walks irregular nesting in row-major order like Triton', () => {
    const request = decode([input({ shape: [4], data: [[1, 2], 3, [[4]]] })]);
    assert.deepEqual(request.inputs[0]?.data, new Int32Array([1, 2, 3, 4]));
  });

  it('omits an empty id and leaves optional fields absent', () => {
    const request = decode([input({ data: [1, 2, 3, 4] })], { id: '' });
    assert.equal('id' in request, false);
    assert.equal('outputs' in request, false);
    assert.equal('priority' in request, false);
    assert.equal('modelVersion' in request, false);
  });

  it('rejects a request that is not a JSON object', () => {
    assertServingError(() => decodeInferRequest([1], undefined, target), 'LS_ERR_REQUEST_INVALID_FIELD', [
      '(root)',
      'a JSON object',
    ]);
  });

  it('rejects a non-string id naming the field and the value', () => {
    assertServingError(() => decode([input({ data: [1, 2, 3, 4] })], { id: 7 }), 'LS_ERR_REQUEST_INVALID_FIELD', [
      "'id'",
      'a string',
      'number 7',
    ]);
  });

  it('rejects a missing or empty inputs array', () => {
    assertServingError(() => decodeInferRequest({}, undefined, target), 'LS_ERR_REQUEST_INVALID_FIELD', [
      "'inputs'",
      'non-empty array',
      'got nothing',
    ]);
    assertServingError(() => decode([]), 'LS_ERR_REQUEST_INVALID_FIELD', ["'inputs'", 'got []']);
  });

  it('rejects an input without a name naming its path', () => {
    assertServingError(() => decode([input({ name: 3, data: [1, 2, 3, 4] })]), 'LS_ERR_REQUEST_INVALID_FIELD', [
      "'inputs[0].name'",
      'number 3',
    ]);
  });

  it('rejects a negative or fractional shape dim naming the dim', () => {
    assertServingError(() => decode([input({ shape: [1, -4], data: [] })]), 'LS_ERR_REQUEST_INVALID_FIELD', [
      "'inputs[0].shape[1]'",
      'non-negative integer',
      'number -4',
    ]);
    assertServingError(() => decode([input({ shape: [1.5], data: [1] })]), 'LS_ERR_REQUEST_INVALID_FIELD', [
      "'inputs[0].shape[0]'",
      'number 1.5',
    ]);
    assertServingError(() => decode([input({ shape: '1,4', data: [1] })]), 'LS_ERR_REQUEST_INVALID_FIELD', [
      "'inputs[0].shape'",
    ]);
  });

  it('rejects an unknown datatype naming the input, the received and the expected datatypes', () => {
    assertServingError(
      () => decode([input({ datatype: 'FLOAT32', data: [1, 2, 3, 4] })]),
      'LS_ERR_INPUT_DATATYPE_UNKNOWN',
      ["input 'INPUT0'", "'FLOAT32'", 'BOOL, UINT8', 'BYTES'],
    );
  });

  it('rejects an input that sets both data and binary_data_size', () => {
    assertServingError(
      () => decode([input({ data: [1, 2, 3, 4], parameters: { binary_data_size: 16 } })], {}, new Uint8Array(16)),
      'LS_ERR_INPUT_DATA_SOURCE',
      ["input 'INPUT0' set 'data' and 'binary_data_size' in 'parameters'"],
    );
  });

  it('rejects an input with no data source', () => {
    assertServingError(() => decode([input({})]), 'LS_ERR_INPUT_DATA_SOURCE', ["input 'INPUT0' set no field"]);
  });

  it('rejects a shared-memory input because shared memory is not supported', () => {
    assertServingError(
      () => decode([input({ parameters: { shared_memory_region: 'r0', shared_memory_byte_size: 16 } })]),
      'LS_ERR_INPUT_DATA_SOURCE',
      ["input 'INPUT0' set 'shared_memory_region' in 'parameters' (not supported by this server)"],
    );
  });

  it('accepts an empty tensor with no data, with data [] or with binary_data_size 0', () => {
    for (const fields of [{}, { data: [] }, { data: [[], []] }, { parameters: { binary_data_size: 0 } }]) {
      const request = decode([input({ shape: [2, 0], ...fields })]);
      assert.deepEqual(request.inputs[0]?.data, new Int32Array(0));
      assert.deepEqual(request.inputs[0]?.shape, [2, 0]);
    }
    const fp16 = decode([input({ shape: [0], datatype: 'FP16', data: [] })]);
    assert.deepEqual(fp16.inputs[0]?.data, new Uint16Array(0));
  });

  it('rejects an input name given twice', () => {
    assertServingError(
      () => decode([input({ data: [1, 2, 3, 4] }), input({ data: [1, 2, 3, 4] })]),
      'LS_ERR_INPUT_DUPLICATE',
      ["input 'INPUT0'"],
    );
  });
});

describe('decodeInferRequest: JSON element typing', () => {
  const cases: [string, string, unknown, string, string][] = [
    ['BOOL', '0/1 instead of true/false', 1, 'expected true or false for datatype BOOL', 'got number 1'],
    ['INT8', 'a value above 127', 128, 'an integer in [-128, 127]', 'got number 128'],
    ['INT16', 'a value below -32768', -32769, 'an integer in [-32768, 32767]', 'number -32769'],
    ['INT32', 'a fraction', 1.5, 'an integer in [-2147483648, 2147483647]', 'number 1.5'],
    ['UINT8', 'a negative value', -1, 'an unsigned integer in [0, 255]', 'number -1'],
    ['UINT16', 'a value above 65535', 65536, 'an unsigned integer in [0, 65535]', 'number 65536'],
    ['UINT32', 'a string', '7', 'an unsigned integer in [0, 4294967295]', 'got "7"'],
    [
      'INT64',
      'a value of 2^63',
      2 ** 63,
      'an integer in [-9223372036854775808, 9223372036854775807]',
      'number 9223372036854776000',
    ],
    ['UINT64', 'a negative value', -1, 'an unsigned integer in [0, 18446744073709551615]', 'number -1'],
    ['FP32', 'a string', '1.0', 'expected a number', 'got "1.0"'],
    ['FP64', 'null', null, 'expected a number', 'got null'],
    ['BYTES', 'a number', 5, 'expected a string', 'got number 5'],
  ];
  for (const [datatype, what, bad, expected, received] of cases) {
    it(`rejects ${what} for ${datatype} naming input, element index, expected and received`, () => {
      const first = datatype === 'BYTES' ? 'a' : datatype === 'BOOL' ? true : 1;
      assertServingError(
        () => decode([input({ shape: [3], datatype, data: [first, [first, bad]] })]),
        'LS_ERR_INPUT_ELEMENT_TYPE',
        ["input 'INPUT0' element 2", expected, received],
      );
    });
  }

  it('rejects FP16 and BF16 data sent as JSON', () => {
    for (const datatype of ['FP16', 'BF16']) {
      assertServingError(
        () => decode([input({ datatype, data: [1, 2, 3, 4] })]),
        'LS_ERR_INPUT_JSON_UNSUPPORTED_TYPE',
        [`receiving ${datatype} data via JSON is not supported`, "input 'INPUT0'"],
      );
    }
  });

  it('rejects too few and too many elements naming shape, expected and received counts', () => {
    assertServingError(() => decode([input({ data: [1, 2, 3] })]), 'LS_ERR_INPUT_ELEMENT_COUNT', [
      "input 'INPUT0'",
      'shape [1,4] needs 4 elements',
      'holds 3',
    ]);
    assertServingError(() => decode([input({ data: [[1, 2], [3, 4], [5]] })]), 'LS_ERR_INPUT_ELEMENT_COUNT', [
      'needs 4',
      'holds 5',
    ]);
    assertServingError(() => decode([input({ shape: [4], data: [[1, 2, 3], 4, 5] })]), 'LS_ERR_INPUT_ELEMENT_COUNT', [
      'holds 5',
    ]);
  });

  it('rejects a non-array data field', () => {
    assertServingError(() => decode([input({ shape: [], data: 5 })]), 'LS_ERR_REQUEST_INVALID_FIELD', [
      "'inputs[0].data'",
      'an array',
    ]);
  });

  it('accepts 100 levels of nesting and rejects 101', () => {
    let ok: unknown = [7];
    for (let i = 1; i < 100; i++) ok = [ok];
    const request = decode([input({ shape: new Array<number>(100).fill(1), data: ok })]);
    assert.deepEqual(request.inputs[0]?.data, new Int32Array([7]));
    assertServingError(
      () => decode([input({ shape: new Array<number>(101).fill(1), data: [ok] })]),
      'LS_ERR_INPUT_NESTING_TOO_DEEP',
      ["input 'INPUT0'", 'deeper than 100'],
    );
  });

  it('decodes INT64 and UINT64 into BigInt arrays, large values included', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const request = decode([
      input({ shape: [3], datatype: 'INT64', data: [-big, big, 2 ** 62] }),
      input({ name: 'U', shape: [2], datatype: 'UINT64', data: [0, 2 ** 63] }),
    ]);
    assert.deepEqual(request.inputs[0]?.data, new BigInt64Array([-BigInt(big), BigInt(big), 2n ** 62n]));
    assert.deepEqual(request.inputs[1]?.data, new BigUint64Array([0n, 2n ** 63n]));
  });

  it('encodes BYTES strings as UTF-8, each element in its own buffer', () => {
    const request = decode([input({ shape: [2], datatype: 'BYTES', data: ['héllo', ''] })]);
    const data = request.inputs[0]?.data as Uint8Array[];
    assert.deepEqual(
      data.map((b) => Buffer.from(b).toString('utf8')),
      ['héllo', ''],
    );
    assert.equal(data[0]?.buffer.byteLength, 6);
  });
});

describe('decodeInferRequest: parameters and requested outputs', () => {
  const data = [1, 2, 3, 4];

  it('parses priority, timeout and binary_data_output and keeps custom parameters', () => {
    const request = decode([input({ data })], {
      parameters: {
        priority: 2,
        timeout: 1500,
        binary_data_output: true,
        sequence_id: 'abc',
        sequence_start: true,
        custom: 'x',
        n: 1.5,
        headers: 'h',
      },
    });
    assert.equal(request.priority, 2);
    assert.equal(request.timeoutUs, 1500);
    assert.equal(request.binaryOutput, true);
    assert.deepEqual(request.parameters, {
      priority: 2,
      timeout: 1500,
      binary_data_output: true,
      sequence_id: 'abc',
      sequence_start: true,
      custom: 'x',
      n: 1.5,
    });
  });

  it('rejects a parameter key starting with triton_', () => {
    assertServingError(
      () => decode([input({ data })], { parameters: { triton_enable_empty_final_response: true } }),
      'LS_ERR_REQUEST_RESERVED_PARAMETER',
      ["'triton_enable_empty_final_response'", "starting with 'triton_' are reserved"],
    );
  });

  it('rejects a negative priority, a string timeout and an object-valued parameter', () => {
    assertServingError(
      () => decode([input({ data })], { parameters: { priority: -1 } }),
      'LS_ERR_REQUEST_INVALID_FIELD',
      ["'parameters.priority'", 'unsigned integer', 'number -1'],
    );
    assertServingError(
      () => decode([input({ data })], { parameters: { timeout: '10' } }),
      'LS_ERR_REQUEST_INVALID_FIELD',
      ["'parameters.timeout'", 'got "10"'],
    );
    assertServingError(
      () => decode([input({ data })], { parameters: { x: { a: 1 } } }),
      'LS_ERR_REQUEST_INVALID_FIELD',
      ["'parameters.x'", 'string, number or boolean'],
    );
    assertServingError(
      () => decode([input({ data })], { parameters: { binary_data_output: 1 } }),
      'LS_ERR_REQUEST_INVALID_FIELD',
      ["'parameters.binary_data_output'", 'a boolean'],
    );
  });

  it('reads binary_data and classification of requested outputs', () => {
    const request = decode([input({ data })], {
      outputs: [
        { name: 'A', parameters: { binary_data: true, classification: 3 } },
        { name: 'B', parameters: { binary_data: false } },
        { name: 'C' },
      ],
    });
    assert.deepEqual(request.outputs, [
      { name: 'A', binary: true, classification: 3 },
      { name: 'B', binary: false },
      { name: 'C' },
    ]);
  });

  it('treats an empty outputs array as every output', () => {
    assert.equal(decode([input({ data })], { outputs: [] }).outputs, undefined);
  });

  it('rejects shared-memory outputs, and classification with shared memory names classification', () => {
    assertServingError(
      () => decode([input({ data })], { outputs: [{ name: 'A', parameters: { shared_memory_region: 'r' } }] }),
      'LS_ERR_OUTPUT_PARAMETER',
      ["output 'A'", "'shared_memory_region'", 'does not support the shared-memory extensions', 'got "r"'],
    );
    assertServingError(
      () =>
        decode([input({ data })], {
          outputs: [{ name: 'A', parameters: { shared_memory_region: 'r', classification: 2 } }],
        }),
      'LS_ERR_OUTPUT_PARAMETER',
      [
        "output 'A'",
        "parameter 'classification'",
        "no classification together with 'shared_memory_region'",
        'number 2',
      ],
    );
  });

  it('rejects a non-boolean binary_data and a repeated output name', () => {
    assertServingError(
      () => decode([input({ data })], { outputs: [{ name: 'A', parameters: { binary_data: 'yes' } }] }),
      'LS_ERR_OUTPUT_PARAMETER',
      ["'binary_data'", 'a boolean', 'got "yes"'],
    );
    assertServingError(
      () => decode([input({ data })], { outputs: [{ name: 'A' }, { name: 'A' }] }),
      'LS_ERR_REQUEST_INVALID_FIELD',
      ["'outputs[1].name'", '"A"'],
    );
  });

  it('decides binary outputs like Triton: listed outputs by binary_data, unlisted by binary_data_output', () => {
    const request = decode([input({ data })], {
      parameters: { binary_data_output: true },
      outputs: [{ name: 'A', parameters: { binary_data: true } }, { name: 'B' }],
    });
    assert.equal(wantsBinaryOutput(request, 'A'), true);
    assert.equal(wantsBinaryOutput(request, 'B'), false);
    assert.equal(wantsBinaryOutput(request, 'C'), true);
    assert.equal(wantsBinaryOutput(decode([input({ data })]), 'C'), false);
  });
});

describe('decodeInferRequest: binary inputs', () => {
  it('copies a binary input from an unaligned buffer into its own aligned array', () => {
    const values = new Float32Array([1.5, -2, 3.25, 1e-3]);
    const request = decode(
      [input({ datatype: 'FP32', parameters: { binary_data_size: 16 } })],
      {},
      unaligned(le(values)),
    );
    const data = request.inputs[0]?.data as Float32Array;
    assert.ok(data instanceof Float32Array);
    assert.deepEqual(data, values);
    assert.equal(data.byteOffset, 0);
    assert.equal(data.buffer.byteLength, 16);
  });

  it('takes blobs in input order and gives JSON inputs no binary space', () => {
    const a = new Int32Array([1, 2, 3, 4]);
    const c = new Int32Array([9, 8, 7, 6]);
    const request = decode(
      [
        input({ name: 'A', parameters: { binary_data_size: 16 } }),
        input({ name: 'B', data: [5, 5, 5, 5] }),
        input({ name: 'C', parameters: { binary_data_size: 16 } }),
      ],
      {},
      Buffer.concat([le(a), le(c)]),
    );
    assert.deepEqual(
      request.inputs.map((t) => t.data),
      [a, new Int32Array([5, 5, 5, 5]), c],
    );
  });

  it('decodes the BYTES length-prefix example of the spec', () => {
    const blob = Uint8Array.from([0x02, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0]);
    const request = decode([input({ shape: [2], datatype: 'BYTES', parameters: { binary_data_size: 10 } })], {}, blob);
    const data = request.inputs[0]?.data as Uint8Array[];
    assert.deepEqual(
      data.map((b) => Buffer.from(b).toString()),
      ['ab', ''],
    );
  });

  it('rejects a binary_data_size that does not match shape and datatype', () => {
    assertServingError(
      () => decode([input({ datatype: 'FP32', parameters: { binary_data_size: 12 } })], {}, new Uint8Array(12)),
      'LS_ERR_BINARY_SIZE_MISMATCH',
      ["input 'INPUT0'", 'binary_data_size 12', 'the 16 bytes'],
    );
    assertServingError(
      () => decode([input({ parameters: { binary_data_size: -1 } })]),
      'LS_ERR_REQUEST_INVALID_FIELD',
      ["'inputs[0].parameters.binary_data_size'"],
    );
  });

  it('rejects binary data shorter than binary_data_size, and a binary input without a binary section', () => {
    assertServingError(
      () => decode([input({ parameters: { binary_data_size: 16 } })], {}, new Uint8Array(10)),
      'LS_ERR_BINARY_BODY_SHORT',
      ["input 'INPUT0' needs 16 bytes, 10 remain"],
    );
    assertServingError(() => decode([input({ parameters: { binary_data_size: 16 } })]), 'LS_ERR_BINARY_BODY_SHORT', [
      'needs 16 bytes, 0 remain',
    ]);
  });

  it('rejects bytes left over after the last binary input', () => {
    assertServingError(
      () => decode([input({ parameters: { binary_data_size: 16 } })], {}, new Uint8Array(20)),
      'LS_ERR_BINARY_BODY_EXTRA',
      ['4 bytes left'],
    );
    assertServingError(
      () => decode([input({ data: [1, 2, 3, 4] })], {}, new Uint8Array(1)),
      'LS_ERR_BINARY_BODY_EXTRA',
      ['1 bytes left'],
    );
  });

  it('rejects malformed BYTES blobs naming the input and the element', () => {
    const bytes =
      (blob: Uint8Array, count = 2) =>
      () =>
        decode(
          [input({ shape: [count], datatype: 'BYTES', parameters: { binary_data_size: blob.byteLength } })],
          {},
          blob,
        );
    assertServingError(
      bytes(Uint8Array.from([4, 0, 0, 0, 0x61, 0x62, 0x63, 0x64, 2, 0])),
      'LS_ERR_BINARY_BYTES_ELEMENT',
      ["input 'INPUT0'", 'element 1', '4-byte length prefix, got 2 bytes'],
    );
    assertServingError(bytes(Uint8Array.from([9, 0, 0, 0, 0x61, 0, 0, 0])), 'LS_ERR_BINARY_BYTES_ELEMENT', [
      'element 0',
      'says 9 bytes, but only 4 remain',
    ]);
    assertServingError(bytes(bytesBlob(['abcd'])), 'LS_ERR_BINARY_BYTES_ELEMENT', [
      'element 1',
      'needs 2 elements but the data ends after 1',
    ]);
    assertServingError(bytes(bytesBlob(['a']), 1e12), 'LS_ERR_BINARY_BYTES_ELEMENT', [
      'needs 1000000000000 elements (at least 4000000000000 bytes) but the data has 5 bytes',
    ]);
    assertServingError(bytes(bytesBlob(['a', 'b', 'c'])), 'LS_ERR_BINARY_BYTES_ELEMENT', [
      'element 2',
      '5 bytes left after the 2 elements',
    ]);
  });
});
