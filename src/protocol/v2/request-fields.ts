/**
 * Request-level `parameters` and requested `outputs` of a V2 infer request
 * (reference/v2-protocol.md §1.5, §2 "Parameters", §3.6).
 */
import type { ParameterValue, RequestedOutput } from '../../types/infer.js';
import { ServingError, describe } from '../../errors/serving-error.js';

/** Throw LS_ERR_REQUEST_INVALID_FIELD naming the JSON path, the expectation and the value. */
export function fieldError(field: string, expected: string, received: unknown): ServingError {
  return new ServingError('LS_ERR_REQUEST_INVALID_FIELD', { field, expected, received: describe(received) });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

const UINT = 'an unsigned integer';

/** What the request-level parameters carry besides the pass-through map. */
export interface RequestParameters {
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  readonly priority?: number;
  readonly timeoutUs?: number;
  readonly binaryOutput?: boolean;
}

/**
 * Validate request `parameters`. Keys starting with `triton_` are refused (as Triton does); the
 * reserved `priority`, `timeout`, `binary_data_output`, `sequence_*` are type-checked and also kept
 * in `parameters`; `headers` is accepted and dropped; other keys pass through. Values must be
 * string, number or boolean.
 */
export function readRequestParameters(value: unknown): RequestParameters {
  if (value === undefined) return { parameters: {} };
  if (!isPlainObject(value)) throw fieldError('parameters', 'an object', value);
  const parameters: Record<string, ParameterValue> = {};
  const result: { -readonly [K in keyof RequestParameters]: RequestParameters[K] } = { parameters };
  for (const key of Object.keys(value)) {
    const v = value[key];
    const field = `parameters.${key}`;
    if (key.startsWith('triton_')) throw new ServingError('LS_ERR_REQUEST_RESERVED_PARAMETER', { key });
    switch (key) {
      case 'headers':
        continue;
      case 'priority':
        if (!isUint(v)) throw fieldError(field, UINT, v);
        result.priority = v;
        break;
      case 'timeout':
        if (!isUint(v)) throw fieldError(field, `${UINT} (microseconds)`, v);
        result.timeoutUs = v;
        break;
      case 'binary_data_output':
        if (typeof v !== 'boolean') throw fieldError(field, 'a boolean', v);
        result.binaryOutput = v;
        break;
      case 'sequence_id':
        if (!isUint(v) && typeof v !== 'string') throw fieldError(field, `${UINT} or a string`, v);
        break;
      case 'sequence_start':
      case 'sequence_end':
        if (typeof v !== 'boolean') throw fieldError(field, 'a boolean', v);
        break;
      default:
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          throw fieldError(field, 'a string, number or boolean', v);
        }
    }
    parameters[key] = v as ParameterValue;
  }
  return result;
}

const SHM_KEYS = ['shared_memory_region', 'shared_memory_byte_size', 'shared_memory_offset'] as const;

function outputParameterError(output: string, parameter: string, expected: string, received: unknown): ServingError {
  return new ServingError('LS_ERR_OUTPUT_PARAMETER', { output, parameter, expected, received: describe(received) });
}

function readRequestedOutput(value: unknown, index: number, seen: Set<string>): RequestedOutput {
  const path = `outputs[${index}]`;
  if (!isPlainObject(value)) throw fieldError(path, 'an object', value);
  const name = value.name;
  if (typeof name !== 'string' || name === '') throw fieldError(`${path}.name`, 'a non-empty string', name);
  if (seen.has(name)) throw fieldError(`${path}.name`, 'an output name not requested before', name);
  seen.add(name);
  const params = value.parameters;
  if (params === undefined) return { name };
  if (!isPlainObject(params)) throw fieldError(`${path}.parameters`, 'an object', params);
  const out: { -readonly [K in keyof RequestedOutput]: RequestedOutput[K] } = { name };
  const binary = params.binary_data;
  if (binary !== undefined) {
    if (typeof binary !== 'boolean') throw outputParameterError(name, 'binary_data', 'a boolean', binary);
    out.binary = binary;
  }
  const classification = params.classification;
  if (classification !== undefined) {
    if (!isUint(classification)) throw outputParameterError(name, 'classification', UINT, classification);
    if (classification > 0) out.classification = classification;
  }
  const shmKey = SHM_KEYS.find((k) => params[k] !== undefined);
  if (shmKey !== undefined) {
    // Triton's ValidateOutputParameter: shared memory excludes classification and binary_data.
    if (classification !== undefined) {
      throw outputParameterError(name, 'classification', `no classification together with '${shmKey}'`, classification);
    }
    if (binary === true) {
      throw outputParameterError(name, 'binary_data', `not true together with '${shmKey}'`, binary);
    }
    throw outputParameterError(
      name,
      shmKey,
      'no shared-memory parameters (this server does not support the shared-memory extensions)',
      params[shmKey],
    );
  }
  return out;
}

/**
 * Validate requested `outputs`. Absent or empty → undefined: every model output is returned (an
 * empty list requests nothing in particular, as in Triton). `binary` is set only when the client
 * sent `binary_data`: a listed output without it is JSON regardless of `binary_data_output` (§2).
 */
export function readRequestedOutputs(value: unknown): RequestedOutput[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw fieldError('outputs', 'an array', value);
  if (value.length === 0) return undefined;
  const seen = new Set<string>();
  return value.map((item, index) => readRequestedOutput(item, index, seen));
}
