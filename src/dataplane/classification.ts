import { ServingError } from '../errors/serving-error.js';
import type { Tensor } from '../types/tensor.js';

const encoder = new TextEncoder();

/**
 * Classification extension (reference §3.6): replace an output by its top-K classes per row, as
 * BYTES elements `"<value>:<index>"`, highest value first (ties keep index order). Shape becomes
 * [rows, K] for a batching model, [K] otherwise. Values print like Triton's std::to_string.
 */
export function classify(tensor: Tensor, k: number, batched: boolean): Tensor {
  const data = tensor.data;
  if (Array.isArray(data) || data instanceof BigInt64Array || data instanceof BigUint64Array || tensor.datatype === 'FP16' || tensor.datatype === 'BF16') {
    throw new ServingError('LS_ERR_CLASSIFICATION_INVALID', { output: tensor.name, expected: 'a numeric output (not BYTES, INT64, FP16 or BF16)', received: tensor.datatype });
  }
  const rows = batched ? (tensor.shape[0] ?? 1) : 1;
  const perRow = rows === 0 ? 0 : data.length / rows;
  if (!Number.isInteger(k) || k < 1 || k > perRow) {
    throw new ServingError('LS_ERR_CLASSIFICATION_INVALID', { output: tensor.name, expected: `a class count in [1, ${perRow}]`, received: k });
  }
  const out: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * perRow;
    const order = Array.from({ length: perRow }, (_, i) => i).sort((a, b) => Number(data[base + b]) - Number(data[base + a]) || a - b);
    for (const index of order.slice(0, k)) out.push(encoder.encode(`${Number(data[base + index]).toFixed(6)}:${index}`));
  }
  return { name: tensor.name, datatype: 'BYTES', shape: batched ? [rows, k] : [k], data: out };
}
