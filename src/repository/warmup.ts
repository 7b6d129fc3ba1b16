import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARRAY_CTOR, datatypeFromConfig, type DataType } from '../types/datatype.js';
import type { Tensor, TensorData } from '../types/tensor.js';
import { elementCount } from '../types/tensor.js';
import type { InferenceRunner } from '../runtime/runner.js';
import type { ResolvedModelConfig } from './derive-config.js';
import type { WarmupConfig } from './model-config.js';

function makeData(datatype: DataType, count: number, fill: 'zero' | 'random', bytes?: Uint8Array): TensorData {
  if (datatype === 'BYTES') return Array.from({ length: count }, () => new Uint8Array(0));
  const Ctor = ARRAY_CTOR[datatype];
  if (bytes) {
    const copy = new Uint8Array(count * Ctor.BYTES_PER_ELEMENT);
    copy.set(bytes.subarray(0, copy.byteLength));
    return new Ctor(copy.buffer, 0, count);
  }
  const data = new Ctor(count);
  if (fill === 'random' && (data instanceof Float32Array || data instanceof Float64Array)) {
    for (let i = 0; i < count; i++) data[i] = Math.random();
  }
  return data;
}

/** The warm-up batches for a model: model_warmup entries, or one zero batch of size 1. */
export function warmupBatches(config: ResolvedModelConfig, versionDir: string): { make: () => Tensor[]; count: number }[] {
  const batched = config.maxBatchSize > 0;
  const entries: WarmupConfig[] = config.file.model_warmup ?? [
    {
      name: 'default-zero-batch',
      batch_size: 1,
      count: 1,
      inputs: Object.fromEntries(
        config.inputs.map((i) => [i.name, { data_type: `TYPE_${i.datatype === 'BYTES' ? 'STRING' : i.datatype}`, dims: i.dims.map((d) => (d < 0 ? 1 : d)), zero_data: true }]),
      ),
    },
  ];
  return entries.map((entry) => ({
    count: entry.count,
    make: () => Object.entries(entry.inputs).map(([name, spec]) => {
      const datatype = datatypeFromConfig(spec.data_type) ?? 'FP32';
      const shape = batched ? [entry.batch_size, ...spec.dims] : [...spec.dims];
      const bytes = spec.input_data_file ? new Uint8Array(readFileSync(join(versionDir, 'warmup', spec.input_data_file))) : undefined;
      return { name, datatype, shape, data: makeData(datatype, elementCount(shape), spec.random_data ? 'random' : 'zero', bytes) };
    }),
  }));
}

/** Run every warm-up batch; resolves when done so the model can report READY. */
export async function runWarmup(runner: InferenceRunner, config: ResolvedModelConfig, versionDir: string): Promise<void> {
  const outputNames = config.outputs.map((o) => o.name);
  for (const batch of warmupBatches(config, versionDir)) {
    // Inputs are transferred to the worker, so each run gets fresh buffers.
    for (let i = 0; i < batch.count; i++) await runner.run({ inputs: batch.make(), outputNames });
  }
}
