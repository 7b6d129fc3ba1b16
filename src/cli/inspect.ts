/**
 * `layerscope inspect MODEL.onnx [--depth N] [--json]` (DESIGN.md §3): what is in a model —
 * inputs, outputs, parameter count, weight bytes, the module tree — and which tensors the server
 * can observe as layers. No side effects beyond reading the file and calling `out`.
 */
import { parseArgs } from 'node:util';
import { readModelFile, OnnxModelError, type OnnxGraph, type OnnxValueInfo } from '../onnx/graph-reader.js';
import { defaultObservedLayers, DEFAULT_OBSERVED_CAP } from '../onnx/layer-select.js';
import { layerTree, type LayerTreeNode } from '../onnx/layer-tree.js';
import { groupLayers, type Layer } from '../onnx/layers.js';

const USAGE = 'usage: layerscope inspect MODEL.onnx [--depth N] [--json]';
const HELP = [
  USAGE,
  '',
  "Prints a model's inputs, outputs, parameter count, weight bytes, module tree and the layers",
  'the server can observe (activations, per-layer latency).',
  '',
  '  --depth N   module depth that defines a layer (default 1: top-level modules)',
  '  --json      print one JSON object instead of text',
  '  --help      print this help',
];

/** Exit codes: 0 success, 2 usage error or unreadable model. */
const EXIT_USAGE = 2;

interface InspectArgs {
  readonly model: string;
  readonly depth: number;
  readonly json: boolean;
}

class UsageError extends Error {}

function parse(argv: readonly string[]): InspectArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { depth: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('missing the model file');
  if (positionals.length > 1)
    throw new UsageError(`expected one model file, got ${positionals.length}: ${positionals.join(' ')}`);
  const depthText = values.depth ?? '1';
  const depth = /^\d+$/.test(depthText) ? Number(depthText) : NaN;
  if (!Number.isInteger(depth) || depth < 1)
    throw new UsageError(`--depth must be an integer >= 1, got '${depthText}'`);
  return { model: positionals[0] ?? '', depth, json: values.json ?? false };
}

/** `1536` → `1.50 KiB`; bytes below 1 KiB stay exact. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 'B';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return `${value.toFixed(2)} ${unit}`;
}

/** `38922` → `38,922` (locale independent). */
function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function typeOf(v: OnnxValueInfo): string {
  return v.datatype ?? v.onnxType;
}

function shapeOf(v: OnnxValueInfo): string {
  return v.shape === null ? '(unknown rank)' : `[${v.shape.join(', ')}]`;
}

function opsetText(graph: OnnxGraph): string {
  const sets = graph.opsets.map((o) => `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`);
  return sets.length > 0 ? sets.join(', ') : 'none';
}

/** Left-aligned columns, except those in `right` (numbers). */
function table(rows: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function treeRows(node: LayerTreeNode, indent: number, rows: string[][]): void {
  const label = `${'  '.repeat(indent)}${node.path === '' ? '(model)' : node.name}`;
  rows.push([label, formatCount(node.nodeCount), formatCount(node.parameterCount), formatBytes(node.weightBytes)]);
  for (const child of node.children) treeRows(child, indent + 1, rows);
}

/** `label  value` lines with the labels padded to one width; extra lines of a value are indented. */
function labelled(entries: readonly (readonly [string, readonly string[]])[]): string[] {
  const width = Math.max(...entries.map(([label]) => label.length));
  const lines: string[] = [];
  for (const [label, values] of entries) {
    values.forEach((value, i) => lines.push(`${(i === 0 ? label : '').padEnd(width)}  ${value}`.trimEnd()));
  }
  return lines;
}

function textReport(
  args: InspectArgs,
  graph: OnnxGraph,
  layers: readonly Layer[],
  observed: ReadonlySet<string>,
): string[] {
  const io = table([...graph.inputs, ...graph.outputs].map((v) => [v.name, typeOf(v), shapeOf(v)]));
  const producer = `${graph.producerName} ${graph.producerVersion}`.trim() || '(not set)';
  const lines = labelled([
    ['file', [args.model]],
    ['format', [`ONNX IR ${graph.irVersion}, opset ${opsetText(graph)}`]],
    ['producer', [producer]],
    ['inputs', io.slice(0, graph.inputs.length)],
    ['outputs', io.slice(graph.inputs.length)],
    ['nodes', [formatCount(graph.nodes.length)]],
    ['parameters', [formatCount(graph.parameterCount)]],
    ['weight bytes', [`${formatCount(graph.weightBytes)} (${formatBytes(graph.weightBytes)})`]],
  ]);
  const rows: string[][] = [['module tree', 'nodes', 'parameters', 'weight bytes']];
  treeRows(layerTree(graph), 1, rows);
  lines.push('', ...table(rows, new Set([1, 2, 3])));
  lines.push('', `layers at depth ${args.depth} (* = observed by default, at most ${DEFAULT_OBSERVED_CAP}):`);
  const layerRows = layers.map((l) => [
    observed.has(l.name) ? '  *' : '',
    l.name,
    formatCount(l.parameterCount),
    l.outputDatatype ?? '?',
    l.outputTensor ?? '(no output)',
  ]);
  lines.push(...table([['', 'layer', 'parameters', 'type', 'output tensor'], ...layerRows], new Set([2])));
  return lines;
}

function jsonReport(
  args: InspectArgs,
  graph: OnnxGraph,
  layers: readonly Layer[],
  observed: ReadonlySet<string>,
): unknown {
  const io = (v: OnnxValueInfo): unknown => ({ name: v.name, datatype: typeOf(v), shape: v.shape });
  return {
    file: args.model,
    irVersion: graph.irVersion,
    opsets: graph.opsets,
    producer: { name: graph.producerName, version: graph.producerVersion },
    inputs: graph.inputs.map(io),
    outputs: graph.outputs.map(io),
    nodeCount: graph.nodes.length,
    parameterCount: graph.parameterCount,
    weightBytes: graph.weightBytes,
    weightBytesHuman: formatBytes(graph.weightBytes),
    tree: layerTree(graph),
    depth: args.depth,
    layers: layers.map((l) => ({
      name: l.name,
      kind: l.kind,
      outputTensor: l.outputTensor,
      datatype: l.outputDatatype,
      nodeCount: l.nodes.length,
      opTypes: l.opTypes,
      parameterCount: l.parameterCount,
      weightBytes: l.weightBytes,
      observedByDefault: observed.has(l.name),
    })),
  };
}

/**
 * Runs `inspect` with the arguments after the subcommand; prints through `out`, one line per call.
 * Returns the exit code: 0, or 2 for a bad flag or a model that cannot be read (the message says
 * which). Never exits the process.
 */
export async function runInspect(argv: readonly string[], out: (line: string) => void): Promise<number> {
  let args: InspectArgs;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') {
      for (const line of HELP) out(line);
      return 0;
    }
    args = parsed;
  } catch (err) {
    out(`inspect: ${err instanceof Error ? err.message : String(err)}`);
    out(USAGE);
    return EXIT_USAGE;
  }
  let graph: OnnxGraph;
  try {
    graph = await readModelFile(args.model);
  } catch (err) {
    if (!(err instanceof OnnxModelError)) throw err;
    out(`inspect: ${err.message}`);
    return EXIT_USAGE;
  }
  const layers = groupLayers(graph, args.depth);
  const observed = new Set(defaultObservedLayers(graph, { depth: args.depth }).map((l) => l.name));
  if (args.json) out(JSON.stringify(jsonReport(args, graph, layers, observed), null, 2));
  else for (const line of textReport(args, graph, layers, observed)) out(line);
  return 0;
}
