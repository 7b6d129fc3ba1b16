/**
 * The messages between the main thread and an instance's worker, and the rules for moving tensor
 * buffers across: buffers are *transferred* (moved, not copied) whenever they can be, and errors
 * cross as `{code, params}` because structured clone drops the ServingError prototype.
 */
import { ERROR_CATALOGUE, type ErrorCode } from '../../errors/codes.js';
import { ServingError } from '../../errors/serving-error.js';
import type { NumericArray } from '../../types/datatype.js';
import type { GraphTensor } from '../../types/model.js';
import type { Tensor, TensorData } from '../../types/tensor.js';
import type { ExecutionProvider, ProfileTrace, RunTimings } from '../runner.js';

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

/** Main thread → worker. */
export type WorkerRequest =
  | { readonly type: 'run'; readonly id: number; readonly inputs: readonly Tensor[]; readonly outputNames: readonly string[] }
  /** End the profiling session's window and start a new one (runners started with `profiling`). */
  | { readonly type: 'end-profile'; readonly id: number }
  | { readonly type: 'close' };

/** Worker → main thread. */
export type WorkerReply =
  | {
      readonly type: 'ready';
      readonly provider: ExecutionProvider;
      readonly warnings: readonly string[];
      readonly inputs: readonly GraphTensor[];
      readonly outputs: readonly GraphTensor[];
    }
  | { readonly type: 'failed'; readonly error: WireError }
  | { readonly type: 'result'; readonly id: number; readonly outputs: readonly Tensor[]; readonly timings: RunTimings }
  | { readonly type: 'profile'; readonly id: number; readonly trace: ProfileTrace }
  | { readonly type: 'error'; readonly id: number; readonly error: WireError };

/** Flattens an error for postMessage; anything that is not a ServingError becomes `fallback(detail)`. */
export function toWireError(error: unknown, fallback: (detail: string) => ServingError): WireError {
  const serving = error instanceof ServingError ? error : fallback(error instanceof Error ? error.message : String(error));
  return { code: serving.code, message: serving.message, params: serving.params };
}

/** Rebuilds the ServingError on the receiving side; an unknown code keeps its message as detail. */
export function fromWireError(error: WireError): ServingError {
  if (Object.hasOwn(ERROR_CATALOGUE, error.code)) return new ServingError(error.code as ErrorCode, error.params ?? {});
  return new ServingError('LS_ERR_SERVER_INTERNAL', { detail: error.message });
}

type ViewCtor = new (length: number) => NumericArray;

/** Typed array classes by `Symbol.toStringTag` (a Node Buffer reports 'Uint8Array'). */
const VIEW_CTORS: Readonly<Record<string, ViewCtor>> = Object.freeze({
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array: BigInt64Array as unknown as ViewCtor,
  BigUint64Array: BigUint64Array as unknown as ViewCtor,
});

/**
 * Readies tensors for postMessage and lists the buffers to transfer. A typed array that is the
 * whole of its own ArrayBuffer is moved as is (the caller's view becomes detached, byteLength 0);
 * a view into a larger buffer (a Buffer slice of a request body, or Node's shared Buffer pool) is
 * copied into its own buffer first, because transferring would detach — or fail on — the whole
 * parent. SharedArrayBuffer-backed data is shared, neither copied nor transferred.
 */
export function prepareTransfer(tensors: readonly Tensor[]): { tensors: Tensor[]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const prepared = tensors.map((tensor): Tensor => ({ ...tensor, data: transferable(tensor.data, transfer) }));
  return { tensors: prepared, transfer: [...transfer] };
}

function transferable(data: TensorData, transfer: Set<ArrayBuffer>): TensorData {
  if (Array.isArray(data)) return data.map((item) => standalone(item, transfer) as Uint8Array);
  return standalone(data as NumericArray, transfer);
}

function standalone(view: NumericArray, transfer: Set<ArrayBuffer>): NumericArray {
  const buffer = view.buffer;
  if (!(buffer instanceof ArrayBuffer)) return view; // SharedArrayBuffer: both threads see it
  const whole = view.byteOffset === 0 && view.byteLength === buffer.byteLength;
  if (whole && !transfer.has(buffer)) {
    transfer.add(buffer);
    return view;
  }
  const copy = copyView(view);
  transfer.add(copy.buffer as ArrayBuffer);
  return copy;
}

function copyView(view: NumericArray): NumericArray {
  const Ctor = VIEW_CTORS[view[Symbol.toStringTag]] ?? Uint8Array;
  const copy = new Ctor(view.length);
  (copy as Uint8Array).set(view as Uint8Array);
  return copy;
}
