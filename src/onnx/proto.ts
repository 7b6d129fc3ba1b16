/**
 * The one place that loads the ONNX protobuf bindings (protobufjs static code for onnx.proto,
 * onnx v1.10 schema). Fields added to onnx.proto after that version are skipped when decoding,
 * which is why instrument.ts edits model bytes at the wire level instead of re-encoding.
 */
import onnxProto from 'onnx-proto';
import type { onnx as schema } from 'onnx-proto';

export const { onnx } = onnxProto;

export type ModelProto = schema.ModelProto;
export type GraphProto = schema.IGraphProto;
export type NodeProto = schema.INodeProto;
export type TensorProto = schema.ITensorProto;
export type SparseTensorProto = schema.ISparseTensorProto;
export type ValueInfoProto = schema.IValueInfoProto;

/** An int64 as protobufjs hands it out: a number, or a Long when the `long` package is present. */
export type Int64 = number | { toString(): string };

/** Converts a protobuf int64 to a JS number (exact below 2^53, which covers dims and versions). */
export function toNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value.toString());
}
