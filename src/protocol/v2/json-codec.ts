/**
 * V2 infer request/response codec (reference/v2-protocol.md §1.5, §2). Pure: takes the parsed JSON
 * header plus the binary section, returns an InferRequest; takes an InferResponse, returns the JSON
 * header text plus the binary blobs. No transport here: see binary-body.ts for the HTTP body.
 */
import { DATATYPES, isDataType, type DataType } from '../../types/datatype.js';
import type { InferRequest, InferResponse } from '../../types/infer.js';
import { elementCount, type Tensor, type TensorData } from '../../types/tensor.js';
import { ServingError, describe } from '../../errors/serving-error.js';
import { readJsonData, jsonDataText } from './json-data.js';
import { fixedByteSize, readBinaryTensor, tensorBytes } from './binary-tensor.js';
import { fieldError, isPlainObject, isUint, readRequestParameters, readRequestedOutputs } from './request-fields.js';

/** Which model the URL named; the request JSON does not carry it. */
export interface InferTarget {
  readonly modelName: string;
  readonly modelVersion?: string;
}

/** Cursor over the binary section: inputs take their blobs in JSON order (§2). */
interface BinaryCursor {
  readonly bytes: Uint8Array | undefined;
  offset: number;
}

const DATATYPE_LIST = DATATYPES.join(', ');

function readShape(value: unknown, path: string): number[] {
  if (!Array.isArray(value)) throw fieldError(`${path}.shape`, 'an array of non-negative integers', value);
  const shape = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) {
    const dim: unknown = value[i];
    if (!isUint(dim) || !Number.isSafeInteger(dim)) {
      throw fieldError(`${path}.shape[${i}]`, 'a non-negative integer', dim);
    }
    shape[i] = dim;
  }
  return shape;
}

/** Triton's ValidateInputContentType wording: what the input set, for the error message. */
function sourcesText(hasData: boolean, hasBinary: boolean, hasShm: boolean): string {
  const set: string[] = [];
  if (hasData) set.push("'data'");
  if (hasBinary) set.push("'binary_data_size' in 'parameters'");
  if (hasShm) set.push("'shared_memory_region' in 'parameters' (not supported by this server)");
  return set.length === 0 ? 'no field' : set.join(' and ');
}

function readBinaryInput(
  name: string,
  datatype: DataType,
  count: number,
  size: number,
  cursor: BinaryCursor,
): TensorData {
  const fixed = fixedByteSize(datatype, count);
  if (fixed !== undefined && fixed !== size) {
    throw new ServingError('LS_ERR_BINARY_SIZE_MISMATCH', { input: name, received: size, expected: fixed });
  }
  const remaining = (cursor.bytes?.byteLength ?? 0) - cursor.offset;
  if (size > remaining) {
    throw new ServingError('LS_ERR_BINARY_BODY_SHORT', { input: `'${name}'`, expected: size, received: remaining });
  }
  const start = cursor.offset;
  cursor.offset += size;
  const blob = cursor.bytes === undefined ? new Uint8Array(0) : cursor.bytes.subarray(start, start + size);
  return readBinaryTensor(name, datatype, count, blob);
}

function readInput(value: unknown, index: number, cursor: BinaryCursor): Tensor {
  const path = `inputs[${index}]`;
  if (!isPlainObject(value)) throw fieldError(path, 'an object', value);
  const name = value.name;
  if (typeof name !== 'string' || name === '') throw fieldError(`${path}.name`, 'a non-empty string', name);
  const shape = readShape(value.shape, path);
  const datatype = value.datatype;
  if (!isDataType(datatype)) {
    throw new ServingError('LS_ERR_INPUT_DATATYPE_UNKNOWN', {
      input: name,
      received: typeof datatype === 'string' ? datatype : describe(datatype),
      expected: DATATYPE_LIST,
    });
  }
  const params = value.parameters;
  if (params !== undefined && !isPlainObject(params)) throw fieldError(`${path}.parameters`, 'an object', params);
  const data = value.data;
  const size = params?.binary_data_size;
  const hasShm = params?.shared_memory_region !== undefined;
  const count = elementCount(shape);
  const sources = Number(data !== undefined) + Number(size !== undefined) + Number(hasShm);
  // Exactly one source (Triton); an empty tensor may also come with none.
  if (sources > 1 || hasShm || (sources === 0 && count !== 0)) {
    throw new ServingError('LS_ERR_INPUT_DATA_SOURCE', {
      input: name,
      received: sourcesText(data !== undefined, size !== undefined, hasShm),
    });
  }
  let tensorData: TensorData;
  if (size !== undefined) {
    if (!isUint(size)) throw fieldError(`${path}.parameters.binary_data_size`, 'a non-negative integer', size);
    tensorData = readBinaryInput(name, datatype, count, size, cursor);
  } else if (data !== undefined) {
    if (!Array.isArray(data)) throw fieldError(`${path}.data`, 'an array', data);
    tensorData = readJsonData(name, datatype, shape, count, data);
  } else {
    tensorData = readBinaryTensor(name, datatype, 0, new Uint8Array(0));
  }
  return { name, datatype, shape, data: tensorData };
}

/**
 * Decode a V2 infer request.
 *
 * @param header the request JSON, already parsed (`JSON.parse`); validated strictly here.
 * @param binary the bytes after the JSON header (binary tensor extension), or undefined when the
 *   whole body was JSON. Binary inputs take their `binary_data_size` bytes in input order; every
 *   byte must be used. Not retained: each tensor gets its own copy.
 * @param target the model (and version) named by the URL.
 * @throws ServingError (invalid_argument) naming the field or input, the expected and the received value.
 */
export function decodeInferRequest(header: unknown, binary: Uint8Array | undefined, target: InferTarget): InferRequest {
  if (!isPlainObject(header)) throw fieldError('(root)', 'a JSON object', header);
  const id = header.id;
  if (id !== undefined && typeof id !== 'string') throw fieldError('id', 'a string', id);
  const rawInputs = header.inputs;
  if (!Array.isArray(rawInputs) || rawInputs.length === 0) {
    throw fieldError('inputs', 'a non-empty array of inputs', rawInputs);
  }
  const cursor: BinaryCursor = { bytes: binary, offset: 0 };
  const inputs = new Array<Tensor>(rawInputs.length);
  const names = new Set<string>();
  for (let i = 0; i < rawInputs.length; i++) {
    const input = readInput(rawInputs[i], i, cursor);
    if (names.has(input.name)) throw new ServingError('LS_ERR_INPUT_DUPLICATE', { input: input.name });
    names.add(input.name);
    inputs[i] = input;
  }
  const left = (binary?.byteLength ?? 0) - cursor.offset;
  if (left > 0) throw new ServingError('LS_ERR_BINARY_BODY_EXTRA', { received: left });

  const { parameters, priority, timeoutUs, binaryOutput } = readRequestParameters(header.parameters);
  const outputs = readRequestedOutputs(header.outputs);
  const request: { -readonly [K in keyof InferRequest]: InferRequest[K] } = {
    modelName: target.modelName,
    inputs,
    parameters,
  };
  if (id !== undefined && id !== '') request.id = id;
  if (target.modelVersion !== undefined) request.modelVersion = target.modelVersion;
  if (outputs !== undefined) request.outputs = outputs;
  if (binaryOutput !== undefined) request.binaryOutput = binaryOutput;
  if (priority !== undefined) request.priority = priority;
  if (timeoutUs !== undefined) request.timeoutUs = timeoutUs;
  return request;
}

export { wantsBinaryOutput } from '../../types/infer.js';

/** A response as it goes on the wire: JSON header text, then the binary blobs in output order. */
export interface EncodedResponse {
  readonly header: string;
  /** Non-empty blobs only; zero-length binary outputs are listed in the header but add no bytes. */
  readonly binary: Uint8Array[];
}

/**
 * Encode a V2 infer response the way Triton's FinalizeResponse does: `id` (only if non-empty),
 * `model_name`, `model_version` (always a string), `parameters` (only if any), `outputs` in the
 * given order. A JSON output carries a flat `data` array and no `parameters` key (the C++ client
 * rejects an output whose `parameters` lacks `binary_data_size`); a binary output carries
 * `parameters.binary_data_size` and its bytes follow the header in the same order.
 * Binary blobs of fixed-size outputs are views on the output buffers (no copy).
 * @throws ServingError LS_ERR_OUTPUT_JSON_UNSUPPORTED_TYPE for an FP16/BF16 output sent as JSON.
 */
export function encodeInferResponse(response: InferResponse): EncodedResponse {
  let header = '{';
  if (response.id !== undefined && response.id !== '') header += `"id":${JSON.stringify(response.id)},`;
  header += `"model_name":${JSON.stringify(response.modelName)},"model_version":${JSON.stringify(String(response.modelVersion))}`;
  if (response.parameters !== undefined && Object.keys(response.parameters).length > 0) {
    header += `,"parameters":${JSON.stringify(response.parameters)}`;
  }
  header += ',"outputs":[';
  const binary: Uint8Array[] = [];
  const outputs = response.outputs;
  for (let i = 0; i < outputs.length; i++) {
    const output = outputs[i] as (typeof outputs)[number];
    if (i > 0) header += ',';
    header += `{"name":${JSON.stringify(output.name)},"datatype":"${output.datatype}","shape":[${output.shape.join(',')}]`;
    if (output.binary) {
      const bytes = tensorBytes(output);
      if (bytes.byteLength > 0) binary.push(bytes);
      header += `,"parameters":{"binary_data_size":${bytes.byteLength}}}`;
    } else {
      header += `,"data":${jsonDataText(output)}}`;
    }
  }
  header += ']}';
  return { header, binary };
}
