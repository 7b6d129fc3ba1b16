/**
 * Reference data for `layerscope baseline`: the inputs a baseline is recorded from. Three forms:
 *  - a V2 inference request body: `{"inputs": [{"name", "shape", "datatype", "data"}]}` (JSON data,
 *    flat or nested; binary data is not supported here);
 *  - `{"shape": [n, ...], "data": [flat numbers]}` like `models/<m>/1/golden/test-split.json`,
 *    for a model with one input;
 *  - a `.npy` file (little-endian float32/float64), also for a model with one input.
 * Dim 0 is the row dimension.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseNpy } from './npy.js';

export interface ReferenceTensor {
  /** Input name; null when the file does not say (one-input forms). */
  readonly name: string | null;
  readonly shape: readonly number[];
  readonly data: Float64Array | Float32Array;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(value: unknown, out: number[], where: string): void {
  if (Array.isArray(value)) {
    for (const item of value) flatten(item, out, where);
    return;
  }
  if (typeof value === 'number') out.push(value);
  else if (typeof value === 'boolean') out.push(value ? 1 : 0);
  else throw new Error(`${where}: data holds a ${value === null ? 'null' : typeof value}, expected numbers`);
}

function tensorOf(name: string | null, shape: unknown, data: unknown, where: string): ReferenceTensor {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${where}: "shape" must be a non-empty array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const dims = shape as number[];
  const values: number[] = [];
  flatten(data, values, where);
  const expected = dims.reduce((n, d) => n * d, 1);
  if (values.length !== expected) {
    throw new Error(`${where}: shape ${JSON.stringify(dims)} needs ${expected} values, "data" has ${values.length}`);
  }
  return { name, shape: dims, data: Float64Array.from(values) };
}

/** Parses the JSON forms. Throws an Error naming what is wrong. */
export function parseReferenceJson(text: string): ReferenceTensor[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`reference data is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(raw)) throw new Error('reference data must be a JSON object');
  if (Array.isArray(raw['inputs'])) {
    return raw['inputs'].map((input: unknown, i) => {
      if (!isRecord(input) || typeof input['name'] !== 'string') throw new Error(`inputs[${i}] needs a "name"`);
      if (input['data'] === undefined) throw new Error(`inputs[${i}] ('${input['name']}') has no JSON "data" (binary data is not supported here)`);
      return tensorOf(input['name'], input['shape'], input['data'], `inputs[${i}] ('${input['name']}')`);
    });
  }
  if ('shape' in raw && 'data' in raw) return [tensorOf(null, raw['shape'], raw['data'], 'reference data')];
  throw new Error('reference data must be a V2 inference request ({"inputs": [...]}) or {"shape": [...], "data": [...]}');
}

/** Reads reference data from a file: `.npy` by extension, JSON otherwise. */
export async function readReferenceData(path: string): Promise<ReferenceTensor[]> {
  const bytes = await readFile(path);
  if (extname(path).toLowerCase() === '.npy') {
    const array = parseNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (array.shape.length === 0) throw new Error('.npy reference data must have a row dimension (got a scalar)');
    return [{ name: null, shape: array.shape, data: array.data }];
  }
  return parseReferenceJson(bytes.toString('utf8'));
}
