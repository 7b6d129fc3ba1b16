/**
 * V2 infer request bodies, as a client would send them: JSON (flat `data`) or Triton's binary
 * tensor extension (JSON header with `binary_data_size`, then raw little-endian FP32, and the
 * output requested with `binary_data: true`).
 */
import type { BenchModel } from './bench-models.js';
import { prng } from './bench-models.js';
import type { Encoding } from './options.js';

export interface RequestBody {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** Input values for `rows` rows: integer pixels 0–16, or float32 values in [-1, 1]. */
export function inputValues(model: BenchModel, rows: number, seed = 1): Float32Array {
  const count = rows * model.rowDims.reduce((a, b) => a * b, 1);
  const next = prng(seed);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = model.values === 'pixels' ? Math.floor(next() * 17) : next() * 2 - 1;
  return data;
}

/**
 * One request of `rows` rows. JSON numbers are the float32 values printed as doubles (≈19
 * characters each), as numpy's `tolist()` → `json.dumps` would send them.
 */
export function requestBody(model: BenchModel, encoding: Encoding, rows = 1): RequestBody {
  const data = inputValues(model, rows);
  const shape = [rows, ...model.rowDims];
  if (encoding === 'json') {
    const json = {
      inputs: [
        {
          name: model.inputName,
          shape,
          datatype: 'FP32',
          data: Array.from(data),
        },
      ],
      outputs: [{ name: model.outputName }],
    };
    return {
      body: Buffer.from(JSON.stringify(json)),
      headers: { 'Content-Type': 'application/json' },
    };
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        {
          name: model.inputName,
          shape,
          datatype: 'FP32',
          parameters: { binary_data_size: bytes.byteLength },
        },
      ],
      outputs: [{ name: model.outputName, parameters: { binary_data: true } }],
    }),
  );
  return {
    body: Buffer.concat([header, bytes]),
    headers: {
      'Content-Type': 'application/octet-stream',
      'Inference-Header-Content-Length': String(header.byteLength),
    },
  };
}
