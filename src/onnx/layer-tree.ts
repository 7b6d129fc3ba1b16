/**
 * The module tree of a graph (every level of the module paths in node names), for `inspect`.
 */
import type { OnnxGraph } from './graph-reader.js';

/** One module and everything under it. The root (`name` and `path` '') is the whole graph. */
export interface LayerTreeNode {
  /** Last segment of the module path (`q_proj`); '' for the root. */
  readonly name: string;
  /** Full module path (`encoder/layers.0/self_attn/q_proj`); '' for the root. */
  readonly path: string;
  /** Nodes in this subtree. */
  readonly nodeCount: number;
  /** Elements of the initializers the subtree's nodes consume (each counted once per subtree). */
  readonly parameterCount: number;
  readonly weightBytes: number;
  /** Sub-modules in order of first appearance. */
  readonly children: readonly LayerTreeNode[];
}

interface Draft {
  name: string;
  path: string;
  nodeCount: number;
  initializers: Set<string>;
  children: Map<string, Draft>;
}

function draft(name: string, path: string): Draft {
  return { name, path, nodeCount: 0, initializers: new Set(), children: new Map() };
}

function freeze(node: Draft, sizes: ReadonlyMap<string, { elements: number; bytes: number }>): LayerTreeNode {
  let parameterCount = 0;
  let weightBytes = 0;
  for (const name of node.initializers) {
    parameterCount += sizes.get(name)?.elements ?? 0;
    weightBytes += sizes.get(name)?.bytes ?? 0;
  }
  return {
    name: node.name,
    path: node.path,
    nodeCount: node.nodeCount,
    parameterCount,
    weightBytes,
    children: [...node.children.values()].map((c) => freeze(c, sizes)),
  };
}

/**
 * Builds the nested module tree from node names: a node `/a/b/Op` counts in the root, `a` and
 * `a/b`; a node without a module path counts in the root only.
 */
export function layerTree(graph: OnnxGraph): LayerTreeNode {
  const sizes = new Map(graph.initializers.map((i) => [i.name, { elements: i.elementCount, bytes: i.byteSize }]));
  const root = draft('', '');
  for (const node of graph.nodes) {
    const modules = node.name
      .split('/')
      .filter((s) => s.length > 0)
      .slice(0, -1);
    const weights = node.inputs.filter((input) => sizes.has(input));
    let current = root;
    const visit = (d: Draft): void => {
      d.nodeCount++;
      for (const w of weights) d.initializers.add(w);
    };
    visit(current);
    for (const segment of modules) {
      let child = current.children.get(segment);
      if (!child) {
        child = draft(segment, current.path === '' ? segment : `${current.path}/${segment}`);
        current.children.set(segment, child);
      }
      current = child;
      visit(current);
    }
  }
  return freeze(root, sizes);
}

/** Depth of the deepest module in the tree (0 when no node has a module path). */
export function treeDepth(node: LayerTreeNode): number {
  let deepest = 0;
  for (const child of node.children) deepest = Math.max(deepest, 1 + treeDepth(child));
  return deepest;
}
