import type { DataType, NumericArray } from './datatype.js';

/** Tensor element storage: a typed array for fixed-size types, byte strings for BYTES. */
export type TensorData = NumericArray | Uint8Array[];

/**
 * A named tensor in row-major order. `shape` includes the batch dimension when the model batches.
 * Ownership: whoever holds a Tensor may transfer its buffer to a worker; do not reuse it afterwards.
 */
export interface Tensor {
  readonly name: string;
  readonly datatype: DataType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Number of elements a shape holds (1 for a scalar shape `[]`). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Byte size of a tensor's data as sent over the binary protocol (BYTES: 4-byte length prefix each). */
export function tensorByteSize(tensor: Tensor): number {
  const data = tensor.data;
  if (Array.isArray(data)) {
    let size = 0;
    for (const item of data) size += 4 + item.byteLength;
    return size;
  }
  return data.byteLength;
}
