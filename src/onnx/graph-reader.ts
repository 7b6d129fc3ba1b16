/**
 * Reads an ONNX ModelProto into a plain summary: what `inspect` prints and what layer grouping,
 * instrumentation and the memory view need. Pure: no onnxruntime, no side effects beyond reading
 * the file in readModelFile.
 */
import { readFile } from 'node:fs/promises';
import type { DataType } from '../types/datatype.js';
import { inferElemTypes } from './elem-types.js';
import { onnx, toNumber, type GraphProto, type ModelProto, type ValueInfoProto } from './proto.js';
import { datatypeFromOnnx, dimsElementCount, onnxTypeName, tensorDataBytes } from './tensor-types.js';

/** A graph input or output. `shape` is null when the model declares no rank; unknown dims are '?'. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Our datatype; null when the ONNX type has no V2 equivalent or is not a tensor. */
  readonly datatype: DataType | null;
  /** ONNX element type name (`FLOAT`, `INT64`, ...), or the value kind (`sequence`, `map`, ...). */
  readonly onnxType: string;
  readonly shape: readonly (number | string)[] | null;
}

export interface OnnxNode {
  /** As written in the model; may be empty. */
  readonly name: string;
  readonly opType: string;
  /** Operator domain; '' is the default ONNX domain. */
  readonly domain: string;
  /** Input tensor names in order; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export interface OnnxInitializer {
  readonly name: string;
  readonly datatype: DataType | null;
  readonly onnxType: string;
  readonly dims: readonly number[];
  readonly elementCount: number;
  /** Bytes of the tensor's data (see tensorDataBytes); for external data, its declared length. */
  readonly byteSize: number;
  /** Data lives in an external file next to the model. */
  readonly external: boolean;
  readonly sparse: boolean;
}

export interface OnnxOpset {
  /** '' (or 'ai.onnx') is the default ONNX operator set. */
  readonly domain: string;
  readonly version: number;
}

/** Plain summary of an ONNX model's main graph. */
export interface OnnxGraph {
  readonly irVersion: number;
  readonly opsets: readonly OnnxOpset[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graphName: string;
  /** Graph inputs the caller feeds: inputs that are also initializers are left out. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Main-graph nodes in graph (topological) order; subgraphs of If/Loop/Scan are not listed. */
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  /** Sum of initializer element counts. */
  readonly parameterCount: number;
  /** Sum of initializer byte sizes. */
  readonly weightBytes: number;
  /** Best-effort ONNX element type of every tensor (see elem-types.ts); absent = unknown. */
  readonly elemTypes: ReadonlyMap<string, number>;
}

/** A model file that cannot be read or is not a usable ONNX model. */
export class OnnxModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OnnxModelError';
  }
}

function valueInfo(info: ValueInfoProto): OnnxValueInfo {
  const name = info.name ?? '';
  const type = info.type;
  const tensor = type?.tensorType ?? type?.sparseTensorType;
  if (!tensor) {
    const kind = type?.sequenceType ? 'sequence' : type?.mapType ? 'map' : type?.optionalType ? 'optional' : 'unknown';
    return { name, datatype: null, onnxType: kind, shape: null };
  }
  const elemType = tensor.elemType ?? 0;
  const shape = tensor.shape
    ? (tensor.shape.dim ?? []).map((d): number | string => {
        // dim_value and dim_param are a oneof; protobufjs puts defaults on the prototype, so only
        // an own property was present on the wire.
        if (d.dimParam) return d.dimParam;
        return Object.hasOwn(d, 'dimValue') ? toNumber(d.dimValue) : '?';
      })
    : null;
  return { name, datatype: datatypeFromOnnx(elemType), onnxType: onnxTypeName(elemType), shape };
}

function initializers(graph: GraphProto): OnnxInitializer[] {
  const external = onnx.TensorProto.DataLocation.EXTERNAL;
  const dense = (graph.initializer ?? []).map((t): OnnxInitializer => {
    const elemType = t.dataType ?? 0;
    return {
      name: t.name ?? '',
      datatype: datatypeFromOnnx(elemType),
      onnxType: onnxTypeName(elemType),
      dims: (t.dims ?? []).map(toNumber),
      elementCount: dimsElementCount(t.dims ?? []),
      byteSize: tensorDataBytes(t),
      external: t.dataLocation === external,
      sparse: false,
    };
  });
  const sparse = (graph.sparseInitializer ?? []).map((s): OnnxInitializer => {
    const elemType = s.values?.dataType ?? 0;
    return {
      name: s.values?.name ?? '',
      datatype: datatypeFromOnnx(elemType),
      onnxType: onnxTypeName(elemType),
      dims: (s.dims ?? []).map(toNumber),
      elementCount: dimsElementCount(s.dims ?? []),
      byteSize: (s.values ? tensorDataBytes(s.values) : 0) + (s.indices ? tensorDataBytes(s.indices) : 0),
      external: s.values?.dataLocation === external,
      sparse: true,
    };
  });
  return [...dense, ...sparse];
}

/**
 * Decodes ONNX model bytes into the protobuf ModelProto, checking it has a graph and an IR version.
 * @throws OnnxModelError when the bytes are not such a ModelProto.
 */
export function decodeModel(bytes: Uint8Array): ModelProto & { graph: GraphProto } {
  if (bytes.length === 0) throw new OnnxModelError('not a valid ONNX model: the file is empty');
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new OnnxModelError(`not a valid ONNX model: protobuf decoding failed (${detail})`, { cause: err });
  }
  const graph = model.graph;
  if (!graph || toNumber(model.irVersion) <= 0) {
    const missing = !graph ? 'no graph' : 'no ir_version';
    throw new OnnxModelError(`not a valid ONNX model: the ModelProto has ${missing} (is this an .onnx file?)`);
  }
  return Object.assign(model, { graph });
}

/**
 * Decodes ONNX model bytes into an OnnxGraph.
 * @throws OnnxModelError when the bytes are not a protobuf ModelProto with a graph.
 */
export function readModel(bytes: Uint8Array): OnnxGraph {
  const model = decodeModel(bytes);
  const graph = model.graph;
  const irVersion = toNumber(model.irVersion);
  const inits = initializers(graph);
  const initNames = new Set(inits.map((i) => i.name));
  let parameterCount = 0;
  let weightBytes = 0;
  for (const init of inits) {
    parameterCount += init.elementCount;
    weightBytes += init.byteSize;
  }
  return {
    irVersion,
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version) })),
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    graphName: graph.name ?? '',
    inputs: (graph.input ?? []).filter((i) => !initNames.has(i.name ?? '')).map(valueInfo),
    outputs: (graph.output ?? []).map(valueInfo),
    nodes: (graph.node ?? []).map((n) => ({
      name: n.name ?? '',
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
    })),
    initializers: inits,
    parameterCount,
    weightBytes,
    elemTypes: inferElemTypes(graph),
  };
}

/**
 * Reads and decodes an ONNX model file.
 * @throws OnnxModelError naming the path when the file cannot be read or decoded.
 */
export async function readModelFile(path: string): Promise<OnnxGraph> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(err);
    throw new OnnxModelError(`cannot read model file '${path}': ${reason}`, { cause: err });
  }
  try {
    return readModel(bytes);
  } catch (err) {
    if (err instanceof OnnxModelError) throw new OnnxModelError(`${path}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Our datatype of any tensor in the graph, when known or inferable. */
export function tensorDatatype(graph: OnnxGraph, tensor: string): DataType | null {
  const elemType = graph.elemTypes.get(tensor);
  return elemType === undefined ? null : datatypeFromOnnx(elemType);
}
