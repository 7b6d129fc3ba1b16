import { datatypeFromConfig } from '../types/datatype.js';
import type { GraphTensor, TensorSpec } from '../types/model.js';
import type { DynamicBatchingConfig, ModelConfigFile } from './model-config.js';

/** Batch size a model gets when config.json omits max_batch_size and the graph batches. */
export const DEFAULT_MAX_BATCH_SIZE = 64;

/** A model's configuration after config.json has been completed from its ONNX graph. */
export interface ResolvedModelConfig {
  readonly name: string;
  readonly platform: 'onnxruntime_onnx';
  readonly maxBatchSize: number;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Present when the model batches dynamically. */
  readonly dynamicBatching?: DynamicBatchingConfig;
  readonly file: ModelConfigFile;
}

function isBatchDim(dim: number | string | undefined): boolean {
  return typeof dim === 'string' || dim === -1;
}

function graphDims(tensor: GraphTensor, batched: boolean): number[] {
  const dims = tensor.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
  return batched ? dims.slice(1) : dims;
}

/**
 * Complete config.json from the graph: inputs, outputs, datatypes, dims and whether dim 0 is a
 * batch dim. Where config.json states something, it must agree with the graph; the returned
 * message names the tensor, the expected and the received value.
 */
export function deriveConfig(
  name: string,
  file: ModelConfigFile,
  graphInputs: readonly GraphTensor[],
  graphOutputs: readonly GraphTensor[],
): { ok: true; config: ResolvedModelConfig } | { ok: false; error: string } {
  if (file.name !== undefined && file.name !== name) {
    return { ok: false, error: `config.json name '${file.name}' does not match the model directory '${name}'` };
  }
  const all = [...graphInputs, ...graphOutputs];
  const graphBatches = all.length > 0 && all.every((t) => t.shape.length > 0 && isBatchDim(t.shape[0]));
  const maxBatchSize = file.max_batch_size ?? (graphBatches ? DEFAULT_MAX_BATCH_SIZE : 0);
  if (maxBatchSize > 0 && !graphBatches) {
    const fixed = all.find((t) => !(t.shape.length > 0 && isBatchDim(t.shape[0])));
    return {
      ok: false,
      error: `max_batch_size ${maxBatchSize} needs a variable first dimension on every tensor, but '${fixed?.name}' has shape ${JSON.stringify(fixed?.shape)}`,
    };
  }
  const batched = maxBatchSize > 0;
  const inputs = resolveTensors('input', file.input, graphInputs, batched);
  if (!inputs.ok) return inputs;
  const outputs = resolveTensors('output', file.output, graphOutputs, batched);
  if (!outputs.ok) return outputs;
  // Triton auto-completes dynamic batching for batching models without a scheduler.
  const dynamicBatching = file.dynamic_batching ?? (batched && file.max_batch_size === undefined ? defaultBatching() : undefined);
  const resolved: ResolvedModelConfig = {
    name,
    platform: 'onnxruntime_onnx',
    maxBatchSize,
    inputs: inputs.tensors,
    outputs: outputs.tensors,
    file,
    ...(dynamicBatching && batched ? { dynamicBatching } : {}),
  };
  return { ok: true, config: resolved };
}

function defaultBatching(): DynamicBatchingConfig {
  return {
    preferred_batch_size: [],
    max_queue_delay_microseconds: 0,
    preserve_ordering: false,
    priority_levels: 0,
    default_priority_level: 0,
    default_queue_policy: {
      timeout_action: 'REJECT',
      default_timeout_microseconds: 0,
      allow_timeout_override: false,
      max_queue_size: 0,
    },
    priority_queue_policy: {},
  };
}

type Resolved = { ok: true; tensors: TensorSpec[] } | { ok: false; error: string };

function resolveTensors(
  kind: 'input' | 'output',
  configured: ModelConfigFile['input'],
  graph: readonly GraphTensor[],
  batched: boolean,
): Resolved {
  const fromGraph = new Map(graph.map((t) => [t.name, t]));
  if (configured === undefined) {
    return { ok: true, tensors: graph.map((t) => ({ name: t.name, datatype: t.datatype, dims: graphDims(t, batched) })) };
  }
  const tensors: TensorSpec[] = [];
  for (const entry of configured) {
    const g = fromGraph.get(entry.name);
    if (!g) {
      return { ok: false, error: `${kind} '${entry.name}' in config.json is not in the ONNX graph (graph has ${[...fromGraph.keys()].join(', ')})` };
    }
    const datatype = datatypeFromConfig(entry.data_type);
    if (datatype !== g.datatype) {
      return { ok: false, error: `${kind} '${entry.name}': config.json data_type ${entry.data_type} but the graph has ${g.datatype}` };
    }
    const expected = graphDims(g, batched);
    const compatible =
      expected.length === entry.dims.length && expected.every((d, i) => d === -1 || entry.dims[i] === -1 || d === entry.dims[i]);
    if (!compatible) {
      return {
        ok: false,
        error: `${kind} '${entry.name}': config.json dims ${JSON.stringify(entry.dims)} do not fit the graph shape ${JSON.stringify(g.shape)}${batched ? ' (batch dim excluded)' : ''}`,
      };
    }
    tensors.push({ name: entry.name, datatype, dims: entry.dims.map((d, i) => (d === -1 ? (expected[i] ?? -1) : d)) });
  }
  if (kind === 'input') {
    const missing = graph.find((t) => !configured.some((c) => c.name === t.name));
    if (missing) return { ok: false, error: `graph input '${missing.name}' is missing from config.json input[]` };
  } else {
    // Outputs not listed in config.json are still produced by the graph; keep them in graph order.
    for (const t of graph) {
      if (!tensors.some((s) => s.name === t.name)) tensors.push({ name: t.name, datatype: t.datatype, dims: graphDims(t, batched) });
    }
    tensors.sort((a, b) => graph.findIndex((t) => t.name === a.name) - graph.findIndex((t) => t.name === b.name));
  }
  return { ok: true, tensors };
}
