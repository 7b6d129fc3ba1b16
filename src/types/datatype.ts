/**
 * V2 protocol datatypes and their relations to Triton config enums, onnxruntime tensor types
 * and JS typed arrays. Source: reference/v2-protocol.md §1.7.
 */

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BF16',
  'BYTES',
] as const;

export type DataType = (typeof DATATYPES)[number];

export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

/** Bytes per element; BYTES is variable (0). */
export const ELEMENT_SIZE: Readonly<Record<DataType, number>> = Object.freeze({
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP16: 2,
  FP32: 4,
  FP64: 8,
  BF16: 2,
  BYTES: 0,
});

/** Typed array holding a tensor's elements. FP16/BF16 travel as raw 16-bit words. */
export type NumericArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

type TypedArrayCtor = {
  new (length: number): NumericArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): NumericArray;
  readonly BYTES_PER_ELEMENT: number;
};

/** Typed array constructor for every fixed-size datatype. */
export const ARRAY_CTOR: Readonly<Record<Exclude<DataType, 'BYTES'>, TypedArrayCtor>> = Object.freeze({
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array as unknown as TypedArrayCtor,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array as unknown as TypedArrayCtor,
  FP16: Uint16Array,
  FP32: Float32Array,
  FP64: Float64Array,
  BF16: Uint16Array,
});

/** Triton model-config enum (`TYPE_FP32`) → protocol datatype. `TYPE_STRING` is BYTES. */
const CONFIG_TO_DATATYPE: Readonly<Record<string, DataType>> = Object.freeze({
  TYPE_BOOL: 'BOOL',
  TYPE_UINT8: 'UINT8',
  TYPE_UINT16: 'UINT16',
  TYPE_UINT32: 'UINT32',
  TYPE_UINT64: 'UINT64',
  TYPE_INT8: 'INT8',
  TYPE_INT16: 'INT16',
  TYPE_INT32: 'INT32',
  TYPE_INT64: 'INT64',
  TYPE_FP16: 'FP16',
  TYPE_FP32: 'FP32',
  TYPE_FP64: 'FP64',
  TYPE_BF16: 'BF16',
  TYPE_STRING: 'BYTES',
});

export const CONFIG_DATATYPES = Object.freeze(Object.keys(CONFIG_TO_DATATYPE));

export function datatypeFromConfig(configType: string): DataType | undefined {
  return CONFIG_TO_DATATYPE[configType];
}

export function datatypeToConfig(datatype: DataType): string {
  return datatype === 'BYTES' ? 'TYPE_STRING' : `TYPE_${datatype}`;
}

/** onnxruntime tensor type names ↔ protocol datatypes. */
const ORT_TO_DATATYPE: Readonly<Record<string, DataType>> = Object.freeze({
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  bfloat16: 'BF16',
  string: 'BYTES',
});

export function datatypeFromOrt(ortType: string): DataType | undefined {
  return ORT_TO_DATATYPE[ortType];
}

export function datatypeToOrt(datatype: DataType): string {
  const found = Object.entries(ORT_TO_DATATYPE).find(([, d]) => d === datatype);
  return found ? found[0] : 'float32';
}
