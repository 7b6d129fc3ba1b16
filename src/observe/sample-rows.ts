import type { Tensor } from '../types/tensor.js';

/**
 * Shared by the observers (per-layer latency and activations). Copies the first `rows` rows of a batch's inputs (dim 0 is the batch dim when `batched`; else
 * each tensor is copied whole). Called synchronously from the batch-start event: the originals
 * are transferred to a worker right after, so nothing here may keep a reference to them.
 */
export function copyLeadingRows(inputs: readonly Tensor[], rows: number, batched: boolean): Tensor[] {
  return inputs.map((tensor): Tensor => {
    const { data, shape } = tensor;
    const total = data.length;
    const batchDim = shape[0] ?? 1;
    const keep = batched && batchDim > 0 ? Math.min(rows, batchDim) : batchDim;
    const count = batched && batchDim > 0 ? (total / batchDim) * keep : total;
    const newShape = batched ? [keep, ...shape.slice(1)] : [...shape];
    const copied = Array.isArray(data) ? data.slice(0, count).map((item) => item.slice()) : data.slice(0, count);
    return { name: tensor.name, datatype: tensor.datatype, shape: newShape, data: copied };
  });
}
