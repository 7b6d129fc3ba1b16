/**
 * What the profiler reports for one model: its layers at `observe.depth`, which of them are
 * observed (exported under their own `layer` label), and how a profiled kernel maps to a layer.
 */
import type { OnnxGraph, OnnxNode } from '../../onnx/graph-reader.js';
import { defaultObservedLayers, matchLayers, unmatchedPatterns } from '../../onnx/layer-select.js';
import { groupLayers, stripProfileSuffixes } from '../../onnx/layers.js';
import { createNodeLayerLookup, UNATTRIBUTED_LAYER } from '../../onnx/profile-names.js';
import type { ObserveConfig } from '../../repository/model-config.js';

export { UNATTRIBUTED_LAYER };

/**
 * Metric label of everything not observed: unobserved layers and kernels onnxruntime generated
 * that no rule attributes. With it, the `layer` series of a model sum to its whole kernel time.
 */
export const OTHER_LAYER = '(other)';

export interface PlannedLayer {
  readonly name: string;
  readonly observed: boolean;
  /** Graph nodes in the layer (before onnxruntime's fusions). */
  readonly nodes: number;
  readonly opTypes: readonly string[];
}

export interface LayerPlan {
  readonly depth: number;
  /** Every layer at `depth`, in graph order. */
  readonly layers: readonly PlannedLayer[];
  /** Names of the observed layers, in graph order (at most `max_layers`). */
  readonly observed: ReadonlySet<string>;
  /** `observe.layers` patterns that match no layer (a typo watches nothing: log them). */
  readonly unmatched: readonly string[];
  /** Layer of a profiled kernel, or UNATTRIBUTED_LAYER when its name has no link to the graph. */
  layerOf(profiledName: string, opType: string): string;
  /** The metric label of a layer: its name when observed, else OTHER_LAYER. */
  labelOf(layer: string): string;
}

/** How far back a fused kernel named after its *output* is traced to its first node. */
const MAX_FUSION_HOPS = 8;

/** `FusedConv` → `Conv`, `FusedGemm` → `Gemm`; other op types unchanged. */
function unfusedOp(opType: string): string {
  return opType.startsWith('Fused') && opType.length > 5 ? opType.slice(5) : opType;
}

/**
 * Fused nodes count in the layer of their first node (DESIGN.md §5). onnxruntime names most fused
 * kernels after their first node (`fused /fc1/Gemm`, `/embed/MatMul/MatMulScaleFusion/`), which the
 * onnx lookup resolves; NCHWc rewrites are named after the fused group's *output tensor*
 * (`/block1/relu/Relu_output_0_nchwc` is Conv+BatchNorm+Relu, op Conv). For those, walk from the
 * tensor's producer up the data inputs to the first node of the kernel's op type.
 */
function createFusionResolver(graph: OnnxGraph, layerByNode: readonly string[]): (clean: string, opType: string) => string | undefined {
  const producer = new Map<string, number>();
  const nodeNames = new Set<string>();
  graph.nodes.forEach((node, index) => {
    if (node.name !== '') nodeNames.add(node.name);
    for (const out of node.outputs) if (out !== '') producer.set(out, index);
  });
  return (clean, opType) => {
    if (nodeNames.has(clean)) return undefined; // named after a node: the onnx lookup's case
    let index: number | undefined = producer.get(clean);
    const want = unfusedOp(opType);
    if (want === '') return undefined;
    for (let hop = 0; hop <= MAX_FUSION_HOPS && index !== undefined; hop++) {
      const node: OnnxNode | undefined = graph.nodes[index];
      if (node === undefined) return undefined;
      if (node.opType === want) return layerByNode[index];
      const input = node.inputs.find((name: string) => producer.has(name));
      index = input === undefined ? undefined : producer.get(input);
    }
    return undefined;
  };
}

/**
 * Builds the plan: observed layers are `observe.layers` matches (exact names or globs, first
 * `max_layers` in graph order) or, without patterns, the default top-level selection of
 * onnx/layer-select.ts capped at `max_layers` — the same layers the activation observer watches.
 * @throws RangeError when depth is not an integer >= 1.
 */
export function createLayerPlan(graph: OnnxGraph, observe: Pick<ObserveConfig, 'layers' | 'depth' | 'max_layers'>): LayerPlan {
  const { depth } = observe;
  const all = groupLayers(graph, depth);
  const patterns = observe.layers ?? [];
  const chosen =
    patterns.length > 0 ? matchLayers(all, patterns).slice(0, observe.max_layers) : defaultObservedLayers(graph, { depth, cap: observe.max_layers });
  const observed = new Set(chosen.map((l) => l.name));
  const layerByNode: string[] = [];
  for (const layer of all) for (const index of layer.nodeIndices) layerByNode[index] = layer.name;
  const lookup = createNodeLayerLookup(graph, depth);
  const fused = createFusionResolver(graph, layerByNode);
  const cache = new Map<string, string>();
  return {
    depth,
    layers: all.map((l) => ({ name: l.name, observed: observed.has(l.name), nodes: l.nodes.length, opTypes: l.opTypes })),
    observed,
    unmatched: patterns.length > 0 ? unmatchedPatterns(all, patterns) : [],
    layerOf(profiledName, opType) {
      const key = `${opType}\u0000${profiledName}`;
      let layer = cache.get(key);
      if (layer === undefined) {
        layer = fused(stripProfileSuffixes(profiledName), opType) ?? lookup(profiledName);
        cache.set(key, layer);
      }
      return layer;
    },
    labelOf: (layer) => (observed.has(layer) ? layer : OTHER_LAYER),
  };
}
