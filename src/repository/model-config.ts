import { z } from 'zod';
import { CONFIG_DATATYPES } from '../types/datatype.js';

/**
 * The per-model `config.json` schema: Triton's ModelConfig field names in snake_case (so Triton
 * users feel at home), plus our own `onnxruntime` and `observe` blocks. Every object is strict:
 * an unknown field is an error that names it. Absent fields are derived from the ONNX graph
 * (repository/derive-config.ts).
 */

const uint = z.number().int().min(0);
const dims = z.array(z.number().int().min(-1));
const configDataType = z.enum(CONFIG_DATATYPES as [string, ...string[]]);

const tensorConfig = z.strictObject({
  name: z.string().min(1),
  data_type: configDataType,
  dims,
  /** Accepted for Triton compatibility; layerscope does not reshape. */
  optional: z.boolean().optional(),
  label_filename: z.string().optional(),
});

export const queuePolicySchema = z.strictObject({
  timeout_action: z.enum(['REJECT', 'DELAY']).default('REJECT'),
  default_timeout_microseconds: uint.default(0),
  allow_timeout_override: z.boolean().default(false),
  max_queue_size: uint.default(0),
});

export const dynamicBatchingSchema = z.strictObject({
  preferred_batch_size: z.array(z.number().int().min(1)).default([]),
  max_queue_delay_microseconds: uint.default(0),
  preserve_ordering: z.boolean().default(false),
  priority_levels: uint.default(0),
  default_priority_level: uint.default(0),
  default_queue_policy: queuePolicySchema.prefault({}),
  priority_queue_policy: z.record(z.string().regex(/^\d+$/, 'priority level keys are integers'), queuePolicySchema).default({}),
});

const instanceGroupSchema = z.strictObject({
  name: z.string().optional(),
  count: z.number().int().min(1).default(1),
  kind: z.enum(['KIND_AUTO', 'KIND_CPU', 'KIND_GPU']).default('KIND_AUTO'),
  gpus: z.array(uint).optional(),
});

const versionPolicySchema = z.union([
  z.strictObject({ latest: z.strictObject({ num_versions: z.number().int().min(1) }) }),
  z.strictObject({ all: z.strictObject({}) }),
  z.strictObject({ specific: z.strictObject({ versions: z.array(z.number().int().min(1)).min(1) }) }),
]);

const warmupInputSchema = z
  .strictObject({
    data_type: configDataType,
    dims,
    zero_data: z.boolean().optional(),
    random_data: z.boolean().optional(),
    input_data_file: z.string().optional(),
  })
  .refine((v) => [v.zero_data, v.random_data, v.input_data_file].filter((x) => x !== undefined && x !== false).length <= 1, {
    message: 'set only one of zero_data, random_data, input_data_file',
  });

const warmupSchema = z.strictObject({
  name: z.string().min(1),
  batch_size: z.number().int().min(1).default(1),
  inputs: z.record(z.string(), warmupInputSchema),
  count: z.number().int().min(1).default(1),
});

const onnxruntimeSchema = z.strictObject({
  intra_op_threads: uint.optional(),
  inter_op_threads: uint.optional(),
  graph_optimization_level: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
  execution_providers: z.array(z.enum(['cuda', 'cpu'])).min(1).optional(),
  allow_spinning: z.boolean().default(false),
});

/** Hidden-layer observation (per-layer latency, activations, drift). */
export const observeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Layer names or glob patterns; default: the top-level layers. */
  layers: z.array(z.string().min(1)).optional(),
  /** Module-path depth that defines a layer. */
  depth: z.number().int().min(1).default(1),
  /** Cap on observed layers (label cardinality bound). */
  max_layers: z.number().int().min(1).max(256).default(32),
  /** Share of executed batches sampled for observation. */
  sample_rate: z.number().min(0).max(1).default(0.1),
  /** Upper bound of observed batches per second. */
  max_batches_per_second: z.number().min(0).default(1),
  /** Live activations compared against the baseline (samples per layer). */
  drift_window: z.number().int().min(10).default(2000),
  /** Sampled batches that become the baseline when none is stored. */
  baseline_batches: z.number().int().min(1).default(20),
});

export const modelConfigSchema = z.strictObject({
  name: z.string().min(1).optional(),
  platform: z.enum(['onnxruntime_onnx']).optional(),
  backend: z.enum(['onnxruntime']).optional(),
  default_model_filename: z.string().min(1).default('model.onnx'),
  max_batch_size: uint.optional(),
  input: z.array(tensorConfig).optional(),
  output: z.array(tensorConfig).optional(),
  dynamic_batching: dynamicBatchingSchema.optional(),
  instance_group: z.array(instanceGroupSchema).optional(),
  version_policy: versionPolicySchema.default({ latest: { num_versions: 1 } }),
  model_warmup: z.array(warmupSchema).optional(),
  parameters: z.record(z.string(), z.strictObject({ string_value: z.string() })).default({}),
  onnxruntime: onnxruntimeSchema.prefault({}),
  observe: observeSchema.prefault({}),
});

export type ModelConfigFile = z.output<typeof modelConfigSchema>;
export type DynamicBatchingConfig = z.output<typeof dynamicBatchingSchema>;
export type QueuePolicyConfig = z.output<typeof queuePolicySchema>;
export type ObserveConfig = z.output<typeof observeSchema>;
export type VersionPolicy = ModelConfigFile['version_policy'];
export type WarmupConfig = z.output<typeof warmupSchema>;

/** Parse config.json text; returns either the config or one message listing every problem. */
export function parseModelConfig(text: string): { ok: true; config: ModelConfigFile } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `config.json is not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const parsed = modelConfigSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: z.prettifyError(parsed.error).replaceAll('\n', '; ') };
  return { ok: true, config: parsed.data };
}
