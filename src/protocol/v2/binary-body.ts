/**
 * The infer HTTP body of the binary tensor extension (reference/v2-protocol.md §2): split a request
 * body into JSON header + binary section, decode the raw single-input form, assemble a response
 * body. Transport-free: callers pass header values and bytes.
 */
import { ELEMENT_SIZE } from '../../types/datatype.js';
import type { InferRequest } from '../../types/infer.js';
import type { TensorSpec } from '../../types/model.js';
import type { TensorData } from '../../types/tensor.js';
import { ServingError } from '../../errors/serving-error.js';
import { readBinaryTensor } from './binary-tensor.js';
import type { EncodedResponse, InferTarget } from './json-codec.js';

export { compressBody, chooseResponseEncoding, decompressBody, type ResponseEncoding } from './content-encoding.js';

/**
 * A split request body. `json`: parse `header` as the request JSON; `binary` is the rest (undefined
 * when the whole body is JSON). `raw`: `Inference-Header-Content-Length: 0`, the whole body is the
 * data of the model's single input; build the request with `decodeRawInput` once the model is known.
 */
export type SplitBody =
  | { readonly kind: 'json'; readonly header: Buffer; readonly binary: Buffer | undefined }
  | { readonly kind: 'raw'; readonly body: Buffer };

const DIGITS = /^[0-9]+$/;

/**
 * Split `body` (already decompressed) at `Inference-Header-Content-Length` (Triton's
 * GetInferenceHeaderLength): absent → all JSON; equal to the body length → all JSON (the C++
 * client always sends the header); 0 → raw binary request; otherwise JSON then binary.
 * @throws ServingError LS_ERR_BINARY_HEADER_LENGTH unless the value is an integer in [0, body length].
 */
export function splitInferBody(body: Buffer, headerLength: string | undefined): SplitBody {
  if (headerLength === undefined) return { kind: 'json', header: body, binary: undefined };
  const text = headerLength.trim();
  const value = DIGITS.test(text) ? Number(text) : NaN;
  if (!(value <= body.byteLength)) {
    throw new ServingError('LS_ERR_BINARY_HEADER_LENGTH', {
      expected: `an integer in [0, ${body.byteLength}] (the body length)`,
      received: JSON.stringify(headerLength),
    });
  }
  if (value === 0) return { kind: 'raw', body };
  if (value === body.byteLength) return { kind: 'json', header: body, binary: undefined };
  return { kind: 'json', header: body.subarray(0, value), binary: body.subarray(value) };
}

/**
 * Parse the JSON header bytes.
 * @throws ServingError LS_ERR_REQUEST_INVALID_JSON with the parser's message.
 */
export function parseRequestJson(header: Uint8Array): unknown {
  const text = Buffer.from(header.buffer, header.byteOffset, header.byteLength).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ServingError('LS_ERR_REQUEST_INVALID_JSON', { detail: (error as Error).message }, { cause: error });
  }
}

function rawError(target: InferTarget, detail: string, expected: string, received: string | number): ServingError {
  return new ServingError('LS_ERR_BINARY_RAW_REQUEST', { model: target.modelName, detail, expected, received });
}

/**
 * Build the request of a raw binary body (§2.3, Triton's InferenceRequest::Normalize for raw
 * input): the model must have exactly one input; the body is that input's data in binary form,
 * batch 1 when the model batches. A fixed-size input may have at most one variable (-1) dim,
 * deduced from the byte length; a BYTES input must have shape [1] and the body is that one
 * element (no length prefix). Every output is returned binary (`binaryOutput: true`).
 * @param modelInputs the model's declared inputs (dims without the batch dim when it batches).
 */
export function decodeRawInput(
  body: Uint8Array,
  modelInputs: readonly TensorSpec[],
  maxBatchSize: number,
  target: InferTarget,
): InferRequest {
  const spec = modelInputs[0];
  if (spec === undefined || modelInputs.length !== 1) {
    throw rawError(target, 'the model must have exactly one input', '1 input', `${modelInputs.length} inputs`);
  }
  const shape: number[] = maxBatchSize > 0 ? [1] : [];
  let variable = -1;
  let known = 1;
  for (const dim of spec.dims) {
    if (dim < 0) {
      if (variable !== -1 && spec.datatype !== 'BYTES') {
        throw rawError(
          target,
          `the shape of input '${spec.name}' cannot be deduced`,
          'at most one variable dim',
          JSON.stringify(spec.dims),
        );
      }
      variable = shape.length;
    } else known *= dim;
    shape.push(dim);
  }
  let data: TensorData;
  if (spec.datatype === 'BYTES') {
    if (known !== 1 || variable !== -1) {
      throw rawError(target, `BYTES input '${spec.name}' needs model shape [1]`, '[1]', JSON.stringify(spec.dims));
    }
    const element = new Uint8Array(body.byteLength);
    element.set(body);
    data = [element];
  } else {
    const rowBytes = known * ELEMENT_SIZE[spec.datatype];
    let count = known;
    if (variable !== -1) {
      if (rowBytes === 0 ? body.byteLength !== 0 : body.byteLength % rowBytes !== 0) {
        throw rawError(
          target,
          `input '${spec.name}' byte size`,
          `a multiple of ${rowBytes} bytes`,
          `${body.byteLength} bytes`,
        );
      }
      const dim = rowBytes === 0 ? 0 : body.byteLength / rowBytes;
      shape[variable] = dim;
      count = known * dim;
    } else if (body.byteLength !== rowBytes) {
      throw rawError(target, `input '${spec.name}' byte size`, `${rowBytes} bytes`, `${body.byteLength} bytes`);
    }
    data = readBinaryTensor(spec.name, spec.datatype, count, body);
  }
  const request: { -readonly [K in keyof InferRequest]: InferRequest[K] } = {
    modelName: target.modelName,
    inputs: [{ name: spec.name, datatype: spec.datatype, shape, data }],
    parameters: {},
    binaryOutput: true,
  };
  if (target.modelVersion !== undefined) request.modelVersion = target.modelVersion;
  return request;
}

/** A response body ready to send. Set `Inference-Header-Content-Length` iff `headerLength` is set. */
export interface ResponseBody {
  readonly body: Buffer;
  readonly headerLength?: number;
  readonly contentType: 'application/json' | 'application/octet-stream';
}

/**
 * Assemble the response body (§2 "Server response algorithm"): with at least one non-empty blob,
 * JSON header + blobs as `application/octet-stream` and `headerLength` = the JSON's byte length
 * (before any compression); otherwise the JSON alone as `application/json`.
 */
export function buildResponseBody(encoded: EncodedResponse): ResponseBody {
  const header = Buffer.from(encoded.header, 'utf8');
  let total = header.byteLength;
  for (const blob of encoded.binary) total += blob.byteLength;
  if (total === header.byteLength) return { body: header, contentType: 'application/json' };
  const body = Buffer.allocUnsafe(total);
  header.copy(body, 0);
  let offset = header.byteLength;
  for (const blob of encoded.binary) {
    body.set(blob, offset);
    offset += blob.byteLength;
  }
  return { body, headerLength: header.byteLength, contentType: 'application/octet-stream' };
}
