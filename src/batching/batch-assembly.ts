import { ARRAY_CTOR, type NumericArray } from '../types/datatype.js';
import type { Tensor, TensorData } from '../types/tensor.js';

/**
 * Building one execution from several requests and splitting its outputs back
 * (reference/v2-protocol.md §6.2; DESIGN §4 "Outputs are scattered back by row range").
 * Tensors are row-major with the batch dim first, so a request's rows are one contiguous range.
 */

/** True when every input of `a` and `b` has the same dims after the batch dim (shape[1:]). */
export function sameNonBatchDims(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const sa = (a[i] as Tensor).shape;
    const sb = (b[i] as Tensor).shape;
    if (sa.length !== sb.length) return false;
    for (let d = 1; d < sa.length; d++) if (sa[d] !== sb[d]) return false;
  }
  return true;
}

type Settable = { set(source: ArrayLike<unknown>, offset: number): void };

/**
 * Concatenates the members' inputs along dim 0: one new typed array per input (BYTES: one new
 * list holding the members' elements). `inputs[m]` are member m's tensors in model input order.
 * The result owns fresh buffers, so the runner may transfer them.
 */
export function concatInputs(inputs: readonly (readonly Tensor[])[], totalRows: number): Tensor[] {
  const first = inputs[0] ?? [];
  return first.map((head, i): Tensor => {
    const parts = inputs.map((tensors) => (tensors[i] as Tensor).data);
    const shape = [totalRows, ...head.shape.slice(1)];
    if (head.datatype === 'BYTES') {
      const joined: Uint8Array[] = [];
      for (const part of parts) for (const item of part as Uint8Array[]) joined.push(item);
      return { name: head.name, datatype: head.datatype, shape, data: joined };
    }
    let length = 0;
    for (const part of parts) length += part.length;
    const data = new ARRAY_CTOR[head.datatype](length);
    let offset = 0;
    for (const part of parts) {
      (data as unknown as Settable).set(part as NumericArray, offset);
      offset += part.length;
    }
    return { name: head.name, datatype: head.datatype, shape, data };
  });
}

function sliceData(data: TensorData, start: number, end: number): TensorData {
  return data.slice(start, end);
}

function copyData(data: TensorData): TensorData {
  return Array.isArray(data) ? data.map((item) => item.slice()) : data.slice();
}

/**
 * Splits each output by row range: member m gets rows [Σ rows before m, + rows[m]) as its own
 * buffer (typed-array `slice`, so no member can see or detach another's data). An output whose
 * dim 0 is not the batch size (rare: e.g. a per-batch statistic) is given whole, copied, to
 * every member. Returns one tensor list per member, in output order.
 */
export function scatterOutputs(outputs: readonly Tensor[], rows: readonly number[], totalRows: number): Tensor[][] {
  const perMember: Tensor[][] = rows.map(() => []);
  for (const output of outputs) {
    const byRow = output.shape.length > 0 && output.shape[0] === totalRows && totalRows > 0;
    const rowLength = byRow ? output.data.length / totalRows : 0;
    const tail = output.shape.slice(1);
    let start = 0;
    rows.forEach((count, m) => {
      const data = byRow ? sliceData(output.data, start * rowLength, (start + count) * rowLength) : copyData(output.data);
      const shape = byRow ? [count, ...tail] : [...output.shape];
      (perMember[m] as Tensor[]).push({ name: output.name, datatype: output.datatype, shape, data });
      start += count;
    });
  }
  return perMember;
}
