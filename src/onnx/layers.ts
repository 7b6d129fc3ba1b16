/**
 * Layers: groups of nodes named by the module path that exporters (torch.onnx, tf2onnx) put in node
 * names — `/encoder/layers.0/self_attn/q_proj/MatMul` is op `MatMul` in module
 * `encoder/layers.0/self_attn/q_proj`. DESIGN.md §5: a layer is that path cut at a configurable
 * depth; a node without a module path is a layer of its own.
 */
import type { DataType } from '../types/datatype.js';
import { tensorDatatype, type OnnxGraph } from './graph-reader.js';

/** A group of nodes observed and timed together. */
export interface Layer {
  /** Module path at the chosen depth (`encoder/layers.0`), or the node's own name. */
  readonly name: string;
  /** `module` when named by a module path; `node` for a single node without one. */
  readonly kind: 'module' | 'node';
  /** Names of its nodes in graph order (`<opType>_<index>` stands in for an unnamed node). */
  readonly nodes: readonly string[];
  /** Indices of its nodes in OnnxGraph.nodes. */
  readonly nodeIndices: readonly number[];
  /** Distinct op types in order of first appearance. */
  readonly opTypes: readonly string[];
  /**
   * The tensor that stands for the layer's output: of the layer's last node (in graph order) that
   * has an output used outside the layer or returned by the graph, that output. Null only for a
   * layer whose nodes have no outputs at all.
   */
  readonly outputTensor: string | null;
  /** Datatype of outputTensor when declared or inferable. */
  readonly outputDatatype: DataType | null;
  /** Elements of the initializers its nodes consume (a shared initializer counts in each layer). */
  readonly parameterCount: number;
  readonly weightBytes: number;
}

const PROFILE_SUFFIX = /(?:_kernel_time|_fence_before|_fence_after|_token_\d+|_nchwc)$/;
const PROFILE_PREFIX = /^fused /;

/**
 * A node name as onnxruntime's profiler reports it, reduced to the name it derives from: without
 * the suffixes ORT appends (`_kernel_time`, `_fence_before`, `_fence_after`, `_token_<n>` from
 * generated names, `_nchwc` from layout rewrites), the `fused ` prefix of fused Gemm/Conv nodes,
 * and a trailing `/`. Applied repeatedly; a plain node name is returned unchanged.
 */
export function stripProfileSuffixes(name: string): string {
  let current = name;
  for (;;) {
    const next = current.replace(PROFILE_PREFIX, '').replace(PROFILE_SUFFIX, '').replace(/\/+$/, '');
    if (next === current) return current;
    current = next;
  }
}

/** Path segments of a node name; the last one is the op, the others the module path. */
function segmentsOf(name: string): string[] {
  return name.split('/').filter((s) => s.length > 0);
}

function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`layer depth must be an integer >= 1, got ${depth}`);
}

/**
 * The layer a node (or a profiled node name) belongs to at `depth`: the first `depth` segments of
 * its module path (all of them when the path is shorter). A name without a module path (`Gemm_3`,
 * `/Softmax`) is its own layer, without the leading slash. Profiler suffixes are ignored.
 * Returns '' for an empty name.
 */
export function layerOfNode(name: string, depth: number): string {
  checkDepth(depth);
  const segments = segmentsOf(stripProfileSuffixes(name));
  if (segments.length <= 1) return segments[0] ?? '';
  return segments.slice(0, Math.min(depth, segments.length - 1)).join('/');
}

/** Whether a node name carries a module path (at least one segment before the op). */
export function hasModulePath(name: string): boolean {
  return segmentsOf(name).length > 1;
}

/** Display name of node `index`: its name, or `<opType>_<index>` when unnamed. */
export function nodeLabel(graph: OnnxGraph, index: number): string {
  const node = graph.nodes[index];
  if (!node) return `node_${index}`;
  return node.name !== '' ? node.name : `${node.opType}_${index}`;
}

interface LayerDraft {
  name: string;
  kind: 'module' | 'node';
  nodeIndices: number[];
}

function draftLayers(graph: OnnxGraph, depth: number): { drafts: LayerDraft[]; layerOf: number[] } {
  const drafts: LayerDraft[] = [];
  const byName = new Map<string, number>();
  const layerOf: number[] = [];
  graph.nodes.forEach((node, index) => {
    const module = hasModulePath(node.name);
    const name = node.name === '' ? nodeLabel(graph, index) : layerOfNode(node.name, depth) || nodeLabel(graph, index);
    let id = byName.get(name);
    if (id === undefined) {
      id = drafts.length;
      byName.set(name, id);
      drafts.push({ name, kind: module ? 'module' : 'node', nodeIndices: [] });
    }
    drafts[id]?.nodeIndices.push(index);
    layerOf.push(id);
  });
  return { drafts, layerOf };
}

interface Usage {
  /** Tensor name → ids of the layers whose nodes read it. */
  readonly consumers: Map<string, Set<number>>;
  readonly graphOutputs: ReadonlySet<string>;
}

function outputTensorOf(graph: OnnxGraph, draft: LayerDraft, id: number, usage: Usage): string | null {
  const { consumers, graphOutputs } = usage;
  for (let k = draft.nodeIndices.length - 1; k >= 0; k--) {
    const node = graph.nodes[draft.nodeIndices[k] ?? -1];
    for (const out of node?.outputs ?? []) {
      if (out === '') continue;
      const users = consumers.get(out);
      if (graphOutputs.has(out) || (users !== undefined && [...users].some((u) => u !== id))) return out;
    }
  }
  const last = graph.nodes[draft.nodeIndices.at(-1) ?? -1];
  return last?.outputs.find((o) => o !== '') ?? null;
}

/**
 * Groups the graph's nodes into layers at `depth` (1 = top-level modules), in order of each
 * layer's first node. A layer's nodes need not be contiguous in the graph.
 * @throws RangeError when depth is not an integer >= 1.
 */
export function groupLayers(graph: OnnxGraph, depth: number): Layer[] {
  checkDepth(depth);
  const { drafts, layerOf } = draftLayers(graph, depth);
  const consumers = new Map<string, Set<number>>();
  graph.nodes.forEach((node, index) => {
    for (const input of node.inputs) {
      if (input === '') continue;
      let users = consumers.get(input);
      if (!users) consumers.set(input, (users = new Set()));
      users.add(layerOf[index] ?? -1);
    }
  });
  const usage: Usage = { consumers, graphOutputs: new Set(graph.outputs.map((o) => o.name)) };
  const inits = new Map(graph.initializers.map((i) => [i.name, i]));
  return drafts.map((draft, id): Layer => {
    const used = new Set<string>();
    const opTypes = new Set<string>();
    for (const index of draft.nodeIndices) {
      const node = graph.nodes[index];
      if (!node) continue;
      opTypes.add(node.opType);
      for (const input of node.inputs) if (inits.has(input)) used.add(input);
    }
    let parameterCount = 0;
    let weightBytes = 0;
    for (const name of used) {
      const init = inits.get(name);
      parameterCount += init?.elementCount ?? 0;
      weightBytes += init?.byteSize ?? 0;
    }
    const outputTensor = outputTensorOf(graph, draft, id, usage);
    return {
      name: draft.name,
      kind: draft.kind,
      nodes: draft.nodeIndices.map((i) => nodeLabel(graph, i)),
      nodeIndices: draft.nodeIndices,
      opTypes: [...opTypes],
      outputTensor,
      outputDatatype: outputTensor === null ? null : tensorDatatype(graph, outputTensor),
      parameterCount,
      weightBytes,
    };
  });
}
