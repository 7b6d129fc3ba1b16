import { ServingError } from '../errors/serving-error.js';
import type { ResolvedModelConfig } from '../repository/derive-config.js';
import type { InferRequest } from '../types/infer.js';
import type { Tensor } from '../types/tensor.js';

export interface ValidatedRequest {
  /** Inputs in the model's input order. */
  readonly inputs: Tensor[];
  /** Batch rows (1 for a non-batching model). */
  readonly rows: number;
  /** Output names to return, in the model's output order. */
  readonly outputs: string[];
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/**
 * Check a decoded request against the model's metadata before it is queued: every input present
 * once and known, datatypes, ranks, dims (-1 is a wildcard), batch size within max_batch_size and
 * equal across inputs, requested outputs known. Messages name the tensor, expected and received.
 */
export function validateRequest(config: ResolvedModelConfig, request: InferRequest): ValidatedRequest {
  const model = config.name;
  const given = new Map<string, Tensor>();
  for (const input of request.inputs) {
    if (given.has(input.name)) throw new ServingError('LS_ERR_INPUT_DUPLICATE', { input: input.name });
    given.set(input.name, input);
  }
  const expectedNames = config.inputs.map((i) => i.name);
  for (const name of given.keys()) {
    if (!expectedNames.includes(name)) {
      throw new ServingError('LS_ERR_INPUT_UNKNOWN', { input: name, model, expected: expectedNames.join(', ') });
    }
  }
  const batched = config.maxBatchSize > 0;
  let rows = 1;
  let batchFrom: string | undefined;
  const inputs: Tensor[] = [];
  for (const spec of config.inputs) {
    const input = given.get(spec.name);
    if (!input) {
      throw new ServingError('LS_ERR_INPUT_MISSING', { input: spec.name, model, expected: config.inputs.length, received: given.size });
    }
    if (input.datatype !== spec.datatype) {
      throw new ServingError('LS_ERR_INPUT_DATATYPE', { input: spec.name, model, expected: spec.datatype, received: input.datatype });
    }
    const expectedShape = batched ? [-1, ...spec.dims] : [...spec.dims];
    const matches =
      input.shape.length === expectedShape.length && expectedShape.every((d, i) => d === -1 || d === input.shape[i]);
    if (!matches) {
      throw new ServingError('LS_ERR_INPUT_SHAPE', { input: spec.name, model, expected: shapeText(expectedShape), received: shapeText(input.shape) });
    }
    if (batched) {
      const batch = input.shape[0] ?? 0;
      if (batch < 1 || batch > config.maxBatchSize) {
        throw new ServingError('LS_ERR_BATCH_TOO_LARGE', { model, expected: config.maxBatchSize, received: batch });
      }
      if (batchFrom === undefined) {
        rows = batch;
        batchFrom = spec.name;
      } else if (batch !== rows) {
        throw new ServingError('LS_ERR_BATCH_MISMATCH', { model, input: spec.name, expected: rows, received: batch });
      }
    }
    inputs.push(input);
  }
  const outputNames = config.outputs.map((o) => o.name);
  let outputs = outputNames;
  if (request.outputs !== undefined && request.outputs.length > 0) {
    for (const requested of request.outputs) {
      if (!outputNames.includes(requested.name)) {
        throw new ServingError('LS_ERR_OUTPUT_UNKNOWN', { output: requested.name, model, expected: outputNames.join(', ') });
      }
    }
    const wanted = new Set(request.outputs.map((o) => o.name));
    outputs = outputNames.filter((n) => wanted.has(n));
  }
  return { inputs, rows, outputs };
}
