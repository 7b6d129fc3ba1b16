/**
 * Best-effort element types for every tensor of a graph, so that layer selection can tell float
 * activations from shape arithmetic (int64) and masks (bool). Declared types (graph inputs and
 * outputs, value_info, initializers) win; node outputs are propagated in graph order by a few
 * rules per op. This is a heuristic, never written into a model (onnxruntime infers types itself).
 */
import { onnx, toNumber, type GraphProto, type NodeProto, type ValueInfoProto } from './proto.js';

const T = onnx.TensorProto.DataType;

const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);
const BOOL_OPS = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
]);
/** Ops whose outputs after the first are int64 indices (MaxPool indices, TopK indices, Unique). */
const INDEX_OUTPUT_OPS = new Set(['MaxPool', 'TopK', 'Unique']);

function declaredType(info: ValueInfoProto): number {
  return info.type?.tensorType?.elemType ?? 0;
}

function attributeTensorType(node: NodeProto, ...names: string[]): number {
  for (const attr of node.attribute ?? []) {
    if (!names.includes(attr.name ?? '')) continue;
    if (attr.t) return attr.t.dataType ?? 0;
    if (attr.name === 'value_float' || attr.name === 'value_floats') return T.FLOAT;
    if (attr.name === 'value_int' || attr.name === 'value_ints') return T.INT64;
    if (attr.name === 'value_string' || attr.name === 'value_strings') return T.STRING;
    if (attr.name === 'to') return toNumber(attr.i);
  }
  return 0;
}

function firstKnownInput(node: NodeProto, types: Map<string, number>, from = 0): number {
  const inputs = node.input ?? [];
  for (let i = from; i < inputs.length; i++) {
    const t = types.get(inputs[i] ?? '');
    if (t) return t;
  }
  return 0;
}

/** Element type of output `index` of `node`, or 0 when the rules cannot tell. */
function outputType(node: NodeProto, index: number, types: Map<string, number>): number {
  const op = node.opType ?? '';
  const input = (i: number): number => types.get(node.input?.[i] ?? '') ?? 0;
  if (INT64_OPS.has(op)) return T.INT64;
  if (BOOL_OPS.has(op)) return T.BOOL;
  if (index > 0 && INDEX_OUTPUT_OPS.has(op)) return T.INT64;
  switch (op) {
    case 'Cast':
      return attributeTensorType(node, 'to');
    case 'CastLike':
      return input(1);
    case 'Constant':
      return attributeTensorType(
        node,
        'value',
        'value_float',
        'value_floats',
        'value_int',
        'value_ints',
        'value_string',
        'value_strings',
      );
    case 'ConstantOfShape':
      return attributeTensorType(node, 'value') || T.FLOAT;
    case 'Where':
      return input(1) || input(2);
    case 'Dropout':
      return index === 1 ? T.BOOL : input(0);
    case 'DequantizeLinear':
      return input(1) || T.FLOAT;
    case 'QuantizeLinear':
      return input(2) || T.UINT8;
    case 'DynamicQuantizeLinear':
      return index === 1 ? T.FLOAT : T.UINT8;
    default:
      return firstKnownInput(node, types);
  }
}

/** Element types (ONNX enum values) by tensor name; tensors the rules cannot type are absent. */
export function inferElemTypes(graph: GraphProto): Map<string, number> {
  const types = new Map<string, number>();
  const declare = (name: string | null | undefined, type: number): void => {
    if (name && type) types.set(name, type);
  };
  for (const t of graph.initializer ?? []) declare(t.name, t.dataType ?? 0);
  for (const s of graph.sparseInitializer ?? []) declare(s.values?.name, s.values?.dataType ?? 0);
  for (const list of [graph.input, graph.output, graph.valueInfo]) {
    for (const info of list ?? []) declare(info.name, declaredType(info));
  }
  for (const node of graph.node ?? []) {
    (node.output ?? []).forEach((name, index) => {
      if (name && !types.has(name)) declare(name, outputType(node, index, types));
    });
  }
  return types;
}
