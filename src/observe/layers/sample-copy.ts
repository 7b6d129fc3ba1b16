import type { Tensor } from '../../types/tensor.js';
import { copyLeadingRows } from '../sample-rows.js';

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
  const rows = inputs.length === 0 ? 0 : batched ? Math.max(0, Math.min(maxRows, ...inputs.map((t) => t.shape[0] ?? 0))) : 1;
  return { inputs: copyLeadingRows(inputs, rows, batched), rows };
}
