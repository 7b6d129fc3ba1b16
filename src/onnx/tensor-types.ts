/**
 * ONNX TensorProto.DataType numbers (onnx.proto `TensorProto.DataType`) and their relation to our
 * V2 `DataType`, plus the byte size of an initializer however its data is stored.
 */
import type { DataType } from '../types/datatype.js';
import { onnx, toNumber, type Int64, type TensorProto } from './proto.js';

/** ONNX element type names by enum value, including types newer than the bundled schema. */
// prettier-ignore
const ONNX_TYPE_NAMES: readonly string[] = [
  'UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL',
  'FLOAT16', 'DOUBLE', 'UINT32', 'UINT64', 'COMPLEX64', 'COMPLEX128', 'BFLOAT16', 'FLOAT8E4M3FN',
  'FLOAT8E4M3FNUZ', 'FLOAT8E5M2', 'FLOAT8E5M2FNUZ', 'UINT4', 'INT4', 'FLOAT4E2M1',
];

/** Bits per element by enum value; 0 = variable (STRING) or unknown. */
// prettier-ignore
const ONNX_TYPE_BITS: readonly number[] = [
  0, 32, 8, 8, 16, 16, 32, 64, 0, 8, 16, 64, 32, 64, 64, 128, 16, 8, 8, 8, 8, 4, 4, 4,
];

// prettier-ignore
const ONNX_TO_DATATYPE: ReadonlyMap<number, DataType> = new Map<number, DataType>([
  [1, 'FP32'], [2, 'UINT8'], [3, 'INT8'], [4, 'UINT16'], [5, 'INT16'], [6, 'INT32'], [7, 'INT64'],
  [8, 'BYTES'], [9, 'BOOL'], [10, 'FP16'], [11, 'FP64'], [12, 'UINT32'], [13, 'UINT64'], [16, 'BF16'],
]);

/** Our datatype for an ONNX element type; null when V2 has no equivalent (complex, float8, int4). */
export function datatypeFromOnnx(elemType: number): DataType | null {
  return ONNX_TO_DATATYPE.get(elemType) ?? null;
}

/** The ONNX name of an element type (`FLOAT`, `INT64`), or `TYPE_<n>` for a value we do not know. */
export function onnxTypeName(elemType: number): string {
  return ONNX_TYPE_NAMES[elemType] ?? `TYPE_${elemType}`;
}

/** Number of elements of a tensor with these dims (1 for a scalar). */
export function dimsElementCount(dims: readonly Int64[]): number {
  let n = 1;
  for (const d of dims) n *= toNumber(d);
  return n;
}

/** Bytes that `count` elements of an ONNX type occupy in memory (packed 4-bit types round up). */
export function packedByteSize(elemType: number, count: number): number {
  const bits = ONNX_TYPE_BITS[elemType] ?? 0;
  return Math.ceil((count * bits) / 8);
}

/**
 * Byte size of a tensor's data: the raw_data length when present; the declared `length` of
 * external data (else what its dims need); for typed fields (float_data, int32_data, ...) the size
 * the elements occupy as their declared type (an FP16 stored in int32_data counts 2 bytes each);
 * for strings the sum of their lengths.
 */
export function tensorDataBytes(tensor: TensorProto): number {
  const elemType = tensor.dataType ?? 0;
  const count = dimsElementCount(tensor.dims ?? []);
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const length = tensor.externalData?.find((e) => e.key === 'length')?.value;
    const declared = length === undefined || length === null ? NaN : Number(length);
    return Number.isFinite(declared) && declared >= 0 ? declared : packedByteSize(elemType, count);
  }
  if (tensor.rawData && tensor.rawData.length > 0) return tensor.rawData.length;
  if (elemType === onnx.TensorProto.DataType.STRING) {
    let bytes = 0;
    for (const s of tensor.stringData ?? []) bytes += s.length;
    return bytes;
  }
  return packedByteSize(elemType, count);
}
