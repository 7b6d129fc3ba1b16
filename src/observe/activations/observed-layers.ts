import type { OnnxGraph } from '../../onnx/graph-reader.js';
import { defaultObservedLayers, matchLayers, unmatchedPatterns } from '../../onnx/layer-select.js';
import { groupLayers, type Layer } from '../../onnx/layers.js';
import type { ObserveConfig } from '../../repository/model-config.js';

const NUMERIC_NON_FLOAT = new Set(['BOOL', 'BYTES']);

type WithOutput = Layer & { readonly outputTensor: string };

/** What to observe of a model, and why some configured patterns watch nothing. */
export interface ObservedLayerSelection {
  /** Layers in graph order, each with an output tensor; at most `max_layers`. */
  readonly layers: readonly WithOutput[];
  /** Config patterns that matched no layer (a typo watches nothing: log it). */
  readonly unmatched: readonly string[];
}

/** Keeps the first layer per output tensor (two layers never report the same values). */
function distinctOutputs(layers: readonly WithOutput[]): WithOutput[] {
  const seen = new Set<string>();
  return layers.filter((l) => {
    if (seen.has(l.outputTensor)) return false;
    seen.add(l.outputTensor);
    return true;
  });
}

function hasOutput(layer: Layer): layer is WithOutput {
  return layer.outputTensor !== null && !(layer.outputDatatype !== null && NUMERIC_NON_FLOAT.has(layer.outputDatatype));
}

/**
 * The layers whose output tensors are observed: `observe.layers` (names or globs, matched against
 * the layers at `observe.depth`) when given, else the default top-level selection of
 * onnx/layer-select.ts; at most `observe.max_layers` (the label-cardinality bound). With patterns,
 * the first `max_layers` matches in graph order are kept.
 */
export function selectObservedLayers(graph: OnnxGraph, observe: ObserveConfig): ObservedLayerSelection {
  if (observe.layers === undefined || observe.layers.length === 0) {
    const layers = defaultObservedLayers(graph, { depth: observe.depth, cap: observe.max_layers }).filter(hasOutput);
    return { layers: distinctOutputs(layers), unmatched: [] };
  }
  const all = groupLayers(graph, observe.depth);
  const matched = distinctOutputs(matchLayers(all, observe.layers).filter(hasOutput));
  return { layers: matched.slice(0, observe.max_layers), unmatched: unmatchedPatterns(all, observe.layers) };
}
