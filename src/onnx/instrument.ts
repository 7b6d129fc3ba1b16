/**
 * Instrumented copies of a model: hidden tensors added as extra graph outputs, so that one run of
 * the copy returns the activations DESIGN.md §5 observes.
 *
 * The edit is made at the protobuf wire level: the model's bytes are copied unchanged except the
 * graph field, which gets the new `output` entries appended (and its length prefix rewritten).
 * Re-encoding through protobufjs would drop every field newer than its bundled onnx.proto (v1.10)
 * and copy all weights through JS objects; this way the copy differs from the original only by the
 * added outputs. onnxruntime infers the type and shape of an output that declares none (verified
 * with onnxruntime-node 1.x), so an output carries an elem_type only when the model's own
 * value_info declares one — a guessed type that is wrong makes session creation fail.
 *
 * A model with external data must be loaded by onnxruntime with the original model's directory
 * available for those files; the instrumented bytes reference them by the same relative paths.
 */
import { decodeModel, OnnxModelError } from './graph-reader.js';
import { onnx, type ValueInfoProto } from './proto.js';

/** ModelProto.graph is field 7, length-delimited: tag (7 << 3) | 2. */
const GRAPH_FIELD = 7;

interface FieldSpan {
  readonly tagStart: number;
  readonly dataStart: number;
  readonly dataEnd: number;
}

function readVarint(bytes: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = pos; i < bytes.length && i < pos + 10; i++) {
    const b = bytes[i] ?? 0;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new OnnxModelError(`not a valid ONNX model: truncated varint at byte ${pos}`);
}

function writeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** Byte span of the last top-level `graph` field of a ModelProto (protobuf merges repeats). */
function findGraphField(bytes: Uint8Array): FieldSpan {
  let found: FieldSpan | undefined;
  let pos = 0;
  while (pos < bytes.length) {
    const tagStart = pos;
    const tag = readVarint(bytes, pos);
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (wire === 0) pos = readVarint(bytes, pos).next;
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = readVarint(bytes, pos);
      const dataStart = length.next;
      pos = dataStart + length.value;
      if (field === GRAPH_FIELD) found = { tagStart, dataStart, dataEnd: pos };
    } else throw new OnnxModelError(`not a valid ONNX model: unsupported wire type ${wire} at byte ${tagStart}`);
    if (pos > bytes.length) throw new OnnxModelError(`not a valid ONNX model: field at byte ${tagStart} is truncated`);
  }
  if (!found) throw new OnnxModelError('not a valid ONNX model: the ModelProto has no graph');
  return found;
}

function declaredTypes(infos: Iterable<ValueInfoProto>): Map<string, number> {
  const types = new Map<string, number>();
  for (const info of infos) {
    const elemType = info.type?.tensorType?.elemType ?? 0;
    if (info.name && elemType) types.set(info.name, elemType);
  }
  return types;
}

/**
 * Returns a copy of an ONNX model whose graph also outputs `tensorNames` (node outputs, graph
 * inputs or initializers), after the existing outputs and in the order given. Names that are
 * already graph outputs, and repeats, are skipped. The input is not modified.
 * @throws OnnxModelError when the bytes are not an ONNX model or a name is not a tensor of the
 *   main graph (tensors inside If/Loop/Scan bodies cannot be exposed).
 */
export function instrumentModel(bytes: Uint8Array, tensorNames: readonly string[]): Uint8Array {
  const { graph } = decodeModel(bytes);
  const existing = new Set<string>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) existing.add(out);
  for (const list of [graph.input ?? [], graph.initializer ?? []]) for (const t of list) existing.add(t.name ?? '');
  existing.delete('');
  const missing = tensorNames.filter((name) => !existing.has(name));
  if (missing.length > 0) {
    const shown = missing
      .slice(0, 5)
      .map((n) => `'${n}'`)
      .join(', ');
    const more = missing.length > 5 ? ` and ${missing.length - 5} more` : '';
    throw new OnnxModelError(`cannot expose ${shown}${more}: not a tensor of the model's main graph`);
  }
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const types = declaredTypes(graph.valueInfo ?? []);
  const added: ValueInfoProto[] = [];
  for (const name of tensorNames) {
    if (outputs.has(name)) continue;
    outputs.add(name);
    const elemType = types.get(name);
    added.push(elemType === undefined ? { name } : { name, type: { tensorType: { elemType } } });
  }
  if (added.length === 0) return bytes.slice();
  const extra = onnx.GraphProto.encode({ output: added }).finish();
  const span = findGraphField(bytes);
  const tag = writeVarint((GRAPH_FIELD << 3) | 2);
  const length = writeVarint(span.dataEnd - span.dataStart + extra.length);
  const parts = [
    bytes.subarray(0, span.tagStart),
    tag,
    length,
    bytes.subarray(span.dataStart, span.dataEnd),
    extra,
    bytes.subarray(span.dataEnd),
  ];
  const result = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
