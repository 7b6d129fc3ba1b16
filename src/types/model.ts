import type { DataType } from './datatype.js';

/**
 * A tensor as the model declares it. `dims` exclude the batch dimension when the model batches
 * (`maxBatchSize > 0`), exactly like Triton's config; `-1` is a variable dimension.
 */
export interface TensorSpec {
  readonly name: string;
  readonly datatype: DataType;
  readonly dims: readonly number[];
}

/** A graph input or output as onnxruntime reports it: full shape, symbolic dims as strings. */
export interface GraphTensor {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: readonly (number | string)[];
}
