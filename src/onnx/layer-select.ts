/**
 * Which layers to observe: the defaults when config names none, and config `observe.layers`
 * patterns (exact names or globs) matched against layer names.
 */
import type { DataType } from '../types/datatype.js';
import type { OnnxGraph } from './graph-reader.js';
import { groupLayers, type Layer } from './layers.js';

export interface DefaultObservedOptions {
  /** Module depth of the layers (default 1: top-level modules). */
  readonly depth?: number;
  /** At most this many layers (default 32): it bounds metric label cardinality. */
  readonly cap?: number;
}

export const DEFAULT_OBSERVED_DEPTH = 1;
export const DEFAULT_OBSERVED_CAP = 32;

const FLOAT_TYPES: ReadonlySet<DataType> = new Set<DataType>(['FP32', 'FP16', 'BF16', 'FP64']);

/** A layer worth observing: it has an output, and that output is not known to be non-float. */
function observable(layer: Layer): boolean {
  return layer.outputTensor !== null && (layer.outputDatatype === null || FLOAT_TYPES.has(layer.outputDatatype));
}

/** `count` indices spread evenly over 0..n-1, first and last included. */
function spread(n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  if (count <= 0) return [];
  if (count === 1) return [n - 1];
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) picked.add(Math.round((i * (n - 1)) / (count - 1)));
  return [...picked];
}

/**
 * The layers observed when config lists none: layers at `depth` whose output is a float tensor
 * (or of unknown type). When the graph has module-path layers, single nodes outside any module
 * (glue such as `/Add`, `/Softmax`, shape arithmetic) are left out. Beyond `cap`, layers are
 * picked evenly through the graph (first and last kept) rather than the first `cap`.
 */
export function defaultObservedLayers(graph: OnnxGraph, options: DefaultObservedOptions = {}): Layer[] {
  const depth = options.depth ?? DEFAULT_OBSERVED_DEPTH;
  const cap = options.cap ?? DEFAULT_OBSERVED_CAP;
  const candidates = groupLayers(graph, depth).filter(observable);
  const modules = candidates.filter((l) => l.kind === 'module');
  const pool = modules.length > 0 ? modules : candidates;
  return spread(pool.length, cap)
    .map((i) => pool[i])
    .filter((l): l is Layer => l !== undefined);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a layer pattern: an exact name, or a glob where `*` matches within one path segment
 * and `**` across segments (`encoder/layers.*`, `encoder/**`; `**\/q_proj` also matches a
 * top-level `q_proj`).
 */
export function compileLayerPattern(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  let source = '';
  for (let i = 0; i < pattern.length;) {
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?'; // zero or more whole segments
      i += 3;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 2;
    } else if (pattern[i] === '*') {
      source += '[^/]*';
      i += 1;
    } else {
      source += escapeRegExp(pattern[i] ?? '');
      i += 1;
    }
  }
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}

/** The layers (in graph order) whose name matches any of the patterns. */
export function matchLayers(layers: readonly Layer[], patterns: readonly string[]): Layer[] {
  const matchers = patterns.map(compileLayerPattern);
  return layers.filter((layer) => matchers.some((m) => m(layer.name)));
}

/** The patterns that match no layer: config should report them (a typo watches nothing). */
export function unmatchedPatterns(layers: readonly Layer[], patterns: readonly string[]): string[] {
  return patterns.filter((p) => {
    const match = compileLayerPattern(p);
    return !layers.some((layer) => match(layer.name));
  });
}
