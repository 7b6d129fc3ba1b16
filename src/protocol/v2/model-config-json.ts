import { datatypeToConfig } from '../../types/datatype.js';
import type { TensorSpec } from '../../types/model.js';
import type { DynamicBatchingConfig, ModelConfigFile, QueuePolicyConfig } from '../../repository/model-config.js';

/** What the config document is built from: the completed config plus the runtime facts. */
export interface ModelConfigSource {
  readonly name: string;
  readonly platform: string;
  readonly maxBatchSize: number;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly dynamicBatching?: DynamicBatchingConfig;
  readonly file: ModelConfigFile;
  readonly instanceCount: number;
  /** Execution provider in use: cuda → KIND_GPU, else KIND_CPU. */
  readonly provider: string;
}

function queuePolicy(p: QueuePolicyConfig): object {
  return {
    timeout_action: p.timeout_action,
    default_timeout_microseconds: p.default_timeout_microseconds,
    allow_timeout_override: p.allow_timeout_override,
    max_queue_size: p.max_queue_size,
  };
}

function dynamicBatching(b: DynamicBatchingConfig): object {
  return {
    preferred_batch_size: [...b.preferred_batch_size],
    max_queue_delay_microseconds: b.max_queue_delay_microseconds,
    preserve_ordering: b.preserve_ordering,
    priority_levels: b.priority_levels,
    default_priority_level: b.default_priority_level,
    default_queue_policy: queuePolicy(b.default_queue_policy),
    priority_queue_policy: Object.fromEntries(Object.entries(b.priority_queue_policy).map(([k, v]) => [k, queuePolicy(v)])),
  };
}

/**
 * `GET /v2/models/{m}[/versions/{v}]/config`: the bare ModelConfig as Triton prints it (reference
 * §3.1): snake_case, every field present with its default, enums by name, 64-bit ints as numbers.
 * Our own `onnxruntime` and `observe` blocks are included too; clients ignore unknown keys.
 */
export function modelConfigJson(source: ModelConfigSource): object {
  const { file } = source;
  const kind = source.provider === 'cuda' ? 'KIND_GPU' : 'KIND_CPU';
  return {
    name: source.name,
    platform: source.platform,
    backend: 'onnxruntime',
    runtime: '',
    version_policy: file.version_policy,
    max_batch_size: source.maxBatchSize,
    input: source.inputs.map((t) => ({
      name: t.name,
      data_type: datatypeToConfig(t.datatype),
      format: 'FORMAT_NONE',
      dims: [...t.dims],
      is_shape_tensor: false,
      allow_ragged_batch: false,
      optional: false,
      is_non_linear_format_io: false,
    })),
    output: source.outputs.map((t) => ({
      name: t.name,
      data_type: datatypeToConfig(t.datatype),
      dims: [...t.dims],
      label_filename: file.output?.find((o) => o.name === t.name)?.label_filename ?? '',
      is_shape_tensor: false,
      is_non_linear_format_io: false,
    })),
    batch_input: [],
    batch_output: [],
    ...(source.dynamicBatching ? { dynamic_batching: dynamicBatching(source.dynamicBatching) } : {}),
    instance_group: [
      { name: `${source.name}_0`, kind, count: source.instanceCount, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '' },
    ],
    default_model_filename: file.default_model_filename,
    cc_model_filenames: {},
    metric_tags: {},
    parameters: file.parameters,
    model_warmup: file.model_warmup ?? [],
    model_transaction_policy: { decoupled: false },
    response_cache: { enable: false },
    onnxruntime: file.onnxruntime,
    observe: file.observe,
  };
}
