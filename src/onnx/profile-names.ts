/**
 * Attributes onnxruntime profiler node names to layers (DESIGN.md §5: fused nodes count in the
 * layer of their first node). ORT's optimizers rename nodes; the shapes seen with
 * onnxruntime-node 1.x on the shipped models are:
 *   `/block1/conv/Conv_kernel_time`                 a graph node, plus the event suffix
 *   `fused /classifier/fc1/Gemm_kernel_time`        Gemm+activation fusion
 *   `/embed/MatMul/MatMulScaleFusion/_kernel_time`  a fusion named after its first node
 *   `/block1/relu/Relu_output_0_nchwc_kernel_time`  NCHWc rewrite, named after an output tensor
 *   `BiasGelu_token_1_kernel_time`, `ReorderOutput` generated names with no link to the graph
 */
import type { OnnxGraph } from './graph-reader.js';
import { groupLayers, layerOfNode, stripProfileSuffixes } from './layers.js';

/** Layer name for profiled nodes that cannot be traced to a graph node (ORT-generated nodes). */
export const UNATTRIBUTED_LAYER = '(unattributed)';

/**
 * A lookup from profiled node names to layer names at `depth`, cached per name. In order: the
 * exact node name; the name without profiler decorations (stripProfileSuffixes); a tensor name
 * (its producing node's layer); the longest graph node name that the name extends at a `/`, `_`,
 * `:` or `.` boundary. Anything else — names ORT generated — maps to UNATTRIBUTED_LAYER, so the
 * result is always a layer of groupLayers(graph, depth) or that one constant (bounded labels).
 * @throws RangeError when depth is not an integer >= 1.
 */
export function createNodeLayerLookup(graph: OnnxGraph, depth: number): (profiledName: string) => string {
  const byNode = new Map<string, string>();
  const byTensor = new Map<string, string>();
  for (const layer of groupLayers(graph, depth)) {
    for (const index of layer.nodeIndices) {
      const node = graph.nodes[index];
      if (!node) continue;
      if (node.name !== '') byNode.set(node.name, layer.name);
      for (const out of node.outputs) if (out !== '') byTensor.set(out, layer.name);
    }
  }
  const resolve = (raw: string): string => {
    const clean = stripProfileSuffixes(raw);
    const direct = byNode.get(raw) ?? byNode.get(clean) ?? byTensor.get(clean);
    if (direct !== undefined) return direct;
    for (let end = clean.length - 1; end > 0; end--) {
      const c = clean[end];
      if (c !== '/' && c !== '_' && c !== ':' && c !== '.') continue;
      const hit = byNode.get(clean.slice(0, end));
      if (hit !== undefined) return hit;
    }
    return UNATTRIBUTED_LAYER;
  };
  const cache = new Map<string, string>();
  return (profiledName) => {
    let layer = cache.get(profiledName);
    if (layer === undefined) cache.set(profiledName, (layer = resolve(profiledName)));
    return layer;
  };
}

/** Re-exported for callers that only need the string rule (no graph at hand). */
export { layerOfNode };
