/**
 * JSON `data` ⇄ typed arrays for the V2 protocol (reference/v2-protocol.md §1.5).
 *
 * Decoding walks nested or flat `data` once and writes straight into a typed array of
 * prod(shape) elements; element typing is Triton's (COMMON `triton_json.h`): BOOL needs
 * true/false, INTn/UINTn integers in range, FP32/FP64 any number, BYTES strings.
 */
import { ARRAY_CTOR, type DataType, type NumericArray } from '../../types/datatype.js';
import type { Tensor, TensorData } from '../../types/tensor.js';
import { ServingError, describe } from '../../errors/serving-error.js';

/** Triton's HTTP_MAX_JSON_NESTING_DEPTH: `data` itself is level 1. */
export const MAX_DATA_NESTING = 100;

/** What an element error needs to name the input. */
interface Site {
  readonly input: string;
  readonly datatype: DataType;
}

const INT_RANGES: Readonly<Partial<Record<DataType, readonly [number, number]>>> = Object.freeze({
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
});

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

function elementError(site: Site, index: number, expected: string, value: unknown): ServingError {
  return new ServingError('LS_ERR_INPUT_ELEMENT_TYPE', {
    input: site.input,
    index,
    expected,
    datatype: site.datatype,
    received: describe(value),
  });
}

function nestingError(site: Site): ServingError {
  return new ServingError('LS_ERR_INPUT_NESTING_TOO_DEEP', { input: site.input, limit: MAX_DATA_NESTING });
}

/**
 * Leaf count, cheaply: an array whose first item is not an array is taken as a leaf row. Exact for
 * well-formed (rectangular or flat) data; `countLeaves` settles the rest. Used to refuse a wrong
 * count before allocating prod(shape) elements, so a huge `shape` cannot allocate memory.
 */
function estimateLeaves(data: readonly unknown[], depth: number, site: Site): number {
  if (data.length === 0 || !Array.isArray(data[0])) return data.length;
  if (depth >= MAX_DATA_NESTING) throw nestingError(site);
  let n = 0;
  for (const item of data) n += Array.isArray(item) ? estimateLeaves(item, depth + 1, site) : 1;
  return n;
}

function countLeaves(data: readonly unknown[], depth: number, site: Site): number {
  let n = 0;
  for (const item of data) {
    if (!Array.isArray(item)) n += 1;
    else if (depth >= MAX_DATA_NESTING) throw nestingError(site);
    else n += countLeaves(item, depth + 1, site);
  }
  return n;
}

// One walker per element family keeps each loop monomorphic. Writes past the end of a typed
// array are no-ops, so a walker only counts; the caller compares the count with the shape.

function fillFloat(
  data: readonly unknown[],
  out: Float32Array | Float64Array,
  pos: number,
  depth: number,
  site: Site,
): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'number') out[pos++] = v;
    else if (!Array.isArray(v)) throw elementError(site, pos, 'a number', v);
    else if (depth >= MAX_DATA_NESTING) throw nestingError(site);
    else pos = fillFloat(v, out, pos, depth + 1, site);
  }
  return pos;
}

function fillInt(
  data: readonly unknown[],
  out: NumericArray,
  pos: number,
  depth: number,
  site: Site,
  range: readonly [number, number],
): number {
  const [min, max] = range;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) (out as Int32Array)[pos++] = v;
    else if (!Array.isArray(v)) throw elementError(site, pos, intExpectation(min, max), v);
    else if (depth >= MAX_DATA_NESTING) throw nestingError(site);
    else pos = fillInt(v, out, pos, depth + 1, site, range);
  }
  return pos;
}

function intExpectation(min: number | bigint, max: number | bigint): string {
  return min < 0 ? `an integer in [${min}, ${max}]` : `an unsigned integer in [0, ${max}]`;
}

const INT64_EXPECTED = intExpectation(-(2n ** 63n), 2n ** 63n - 1n);
const UINT64_EXPECTED = intExpectation(0, 2n ** 64n - 1n);

/** INT64/UINT64. JSON.parse has already rounded integers beyond 2^53; we keep what it gave us. */
function fillBig(
  data: readonly unknown[],
  out: BigInt64Array | BigUint64Array,
  pos: number,
  depth: number,
  site: Site,
  signed: boolean,
): number {
  const min = signed ? -TWO_63 : 0;
  const limit = signed ? TWO_63 : TWO_64;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v < limit) out[pos++] = BigInt(v);
    else if (!Array.isArray(v)) throw elementError(site, pos, signed ? INT64_EXPECTED : UINT64_EXPECTED, v);
    else if (depth >= MAX_DATA_NESTING) throw nestingError(site);
    else pos = fillBig(v, out, pos, depth + 1, site, signed);
  }
  return pos;
}

function fillBool(data: readonly unknown[], out: Uint8Array, pos: number, depth: number, site: Site): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === true) out[pos++] = 1;
    else if (v === false) out[pos++] = 0;
    else if (!Array.isArray(v)) throw elementError(site, pos, 'true or false', v);
    else if (depth >= MAX_DATA_NESTING) throw nestingError(site);
    else pos = fillBool(v, out, pos, depth + 1, site);
  }
  return pos;
}

function fillBytes(data: readonly unknown[], out: Uint8Array[], pos: number, depth: number, site: Site): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'string') {
      // TextEncoder gives each element its own ArrayBuffer (Buffer.from would use the shared pool).
      if (pos < out.length) out[pos] = utf8Encoder.encode(v);
      pos++;
    } else if (!Array.isArray(v)) throw elementError(site, pos, 'a string', v);
    else if (depth >= MAX_DATA_NESTING) throw nestingError(site);
    else pos = fillBytes(v, out, pos, depth + 1, site);
  }
  return pos;
}

function countError(site: Site, shape: readonly number[], expected: number, received: number): ServingError {
  return new ServingError('LS_ERR_INPUT_ELEMENT_COUNT', {
    input: site.input,
    shape: JSON.stringify(shape),
    expected,
    received,
  });
}

/**
 * Decode an input's JSON `data` (already checked to be an array) holding `count` = prod(shape)
 * elements. Returns storage owned by the caller: a fresh typed array, or one Uint8Array per BYTES
 * element, each with its own ArrayBuffer.
 */
export function readJsonData(
  input: string,
  datatype: DataType,
  shape: readonly number[],
  count: number,
  data: readonly unknown[],
): TensorData {
  const site: Site = { input, datatype };
  if (count > 0 && (datatype === 'FP16' || datatype === 'BF16')) {
    throw new ServingError('LS_ERR_INPUT_JSON_UNSUPPORTED_TYPE', { datatype, input });
  }
  if (estimateLeaves(data, 1, site) !== count) {
    const exact = countLeaves(data, 1, site);
    if (exact !== count) throw countError(site, shape, count, exact);
  }
  let out: TensorData;
  let filled: number;
  switch (datatype) {
    case 'FP32':
    case 'FP64': {
      const arr = new ARRAY_CTOR[datatype](count) as Float32Array | Float64Array;
      filled = fillFloat(data, arr, 0, 1, site);
      out = arr;
      break;
    }
    case 'INT64':
    case 'UINT64': {
      const arr = new ARRAY_CTOR[datatype](count) as BigInt64Array | BigUint64Array;
      filled = fillBig(data, arr, 0, 1, site, datatype === 'INT64');
      out = arr;
      break;
    }
    case 'BOOL': {
      const arr = new Uint8Array(count);
      filled = fillBool(data, arr, 0, 1, site);
      out = arr;
      break;
    }
    case 'BYTES': {
      const arr = new Array<Uint8Array>(count);
      filled = fillBytes(data, arr, 0, 1, site);
      out = arr;
      break;
    }
    case 'FP16':
    case 'BF16':
      // count is 0 here (checked above): an empty tensor.
      filled = countLeaves(data, 1, site);
      out = new Uint16Array(0);
      break;
    default: {
      const arr = new ARRAY_CTOR[datatype](count);
      filled = fillInt(data, arr, 0, 1, site, INT_RANGES[datatype] ?? [0, 0]);
      out = arr;
    }
  }
  if (filled !== count) throw countError(site, shape, count, filled);
  return out;
}

/**
 * The flat JSON `data` array of an output, as text. Numbers use JS's shortest round-trip form of
 * the stored value (FP32 widened to double, as Triton writes FP32 as doubles); INT64/UINT64 are
 * written as exact decimal digits even beyond 2^53. NaN and ±Infinity are written bare as `NaN`,
 * `Infinity`, `-Infinity` — not JSON, but exactly what Triton's writer emits (TritonJson::Write
 * uses rapidjson kWriteNanAndInfFlag) and what Python's json.loads (tritonclient) accepts.
 * -0 is written as `0`.
 */
export function jsonDataText(output: Tensor): string {
  const data = output.data;
  const datatype = output.datatype;
  if (datatype === 'FP16' || datatype === 'BF16') {
    throw new ServingError('LS_ERR_OUTPUT_JSON_UNSUPPORTED_TYPE', { datatype, output: output.name });
  }
  if (Array.isArray(data)) {
    if (datatype !== 'BYTES') throw storageError(output);
    let text = '[';
    for (let i = 0; i < data.length; i++) {
      if (i > 0) text += ',';
      text += JSON.stringify(utf8Decoder.decode(data[i]));
    }
    return text + ']';
  }
  if (datatype === 'BYTES') throw storageError(output);
  if (datatype === 'BOOL') {
    let text = '[';
    for (let i = 0; i < data.length; i++) text += i > 0 ? (data[i] ? ',true' : ',false') : data[i] ? 'true' : 'false';
    return text + ']';
  }
  return numbersText(data);
}

/**
 * JSON.stringify of a plain array is V8's fastest number printer (measured ~1.7× faster than
 * TypedArray#join or a hand-written loop for 150k FP32 values), but it turns NaN/±Infinity into null and
 * cannot print BigInt. So: BigInt arrays and float arrays holding a non-finite value go through
 * TypedArray#join (Number#toString / BigInt#toString: shortest round-trip, exact digits, NaN and
 * Infinity bare); everything else through JSON.stringify.
 */
function numbersText(data: NumericArray): string {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return '[' + data.join(',') + ']';
  if ((data instanceof Float32Array || data instanceof Float64Array) && hasNonFinite(data)) {
    return '[' + data.join(',') + ']';
  }
  return JSON.stringify(Array.from(data));
}

function hasNonFinite(data: Float32Array | Float64Array): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    // v - v is NaN exactly for NaN and ±Infinity.
    if (v - v !== 0) return true;
  }
  return false;
}

/** A programming error upstream (datatype and storage disagree), not a client error. */
function storageError(output: Tensor): TypeError {
  const holds = Array.isArray(output.data) ? 'BYTES elements' : 'a typed array';
  return new TypeError(`output '${output.name}' of datatype ${output.datatype} holds ${holds}`);
}
