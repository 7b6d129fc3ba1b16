import type { Tensor } from '../../types/tensor.js';

export interface Sample {
  /** Standalone copies: nothing here shares memory with the batch. */
  readonly inputs: Tensor[];
  /** Rows kept (1 for a model that does not batch). */
  readonly rows: number;
}

/**
 * Copies at most `maxRows` leading rows of a batch's inputs (dim 0 is the batch dim when
 * `batched`; otherwise each tensor is copied whole). Called synchronously from the batch-start
 * event, whose buffers are transferred to a worker right after: the copy is the only main-thread
 * work per sampled batch besides one postMessage.
 */
export function copySample(inputs: readonly Tensor[], maxRows: number, batched: boolean): Sample {
  let rows = batched ? Math.max(0, Math.min(maxRows, ...inputs.map((t) => t.shape[0] ?? 0))) : 1;
  if (inputs.length === 0) rows = 0;
  const copies = inputs.map((tensor): Tensor => {
    const { data, shape } = tensor;
    const batch = shape[0] ?? 0;
    const keep = batched && batch > 0 ? Math.floor((data.length / batch) * rows) : data.length;
    const shapeOut = batched ? [rows, ...shape.slice(1)] : [...shape];
    const copied = Array.isArray(data) ? data.slice(0, keep).map((item) => item.slice()) : data.slice(0, keep);
    return { name: tensor.name, datatype: tensor.datatype, shape: shapeOut, data: copied };
  });
  return { inputs: copies, rows };
}
