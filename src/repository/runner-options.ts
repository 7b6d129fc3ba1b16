import { statSync } from 'node:fs';
import type { ExecutionProvider, RunnerOptions } from '../runtime/runner.js';
import { defaultThreading } from '../runtime/threading.js';
import type { ModelConfigFile } from './model-config.js';

export interface RuntimeDefaults {
  /** 0 = from the core count. */
  readonly instanceCount: number;
  /** 0 = from the core count. */
  readonly intraOpThreads: number;
  readonly executionProviders: readonly ExecutionProvider[];
  readonly cores?: number;
}

/** The model file's size, for the default threading (0 when it cannot be read: the file's own error comes later). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Runner options for one model version: config.json first, then the server defaults, then
 * defaultThreading() from the core count and the model file's size (runtime/threading.ts explains
 * the sizing). Spinning is
 * off unless config.json turns it on: spinning pools fight the event loop on small machines.
 */
export function runnerOptions(
  name: string,
  version: string,
  modelPath: string,
  file: ModelConfigFile,
  defaults: RuntimeDefaults,
): RunnerOptions {
  const auto = defaultThreading(defaults.cores, fileBytes(modelPath));
  const groups = file.instance_group ?? [];
  const configured = groups.reduce((sum, g) => sum + g.count, 0);
  const instanceCount = configured > 0 ? configured : defaults.instanceCount > 0 ? defaults.instanceCount : auto.instanceCount;
  const intraOpThreads =
    file.onnxruntime.intra_op_threads ??
    (defaults.intraOpThreads > 0 ? defaults.intraOpThreads : instanceCount === auto.instanceCount ? auto.intraOpThreads : 1);
  const wantsGpu = groups.some((g) => g.kind === 'KIND_GPU');
  const executionProviders: readonly ExecutionProvider[] =
    file.onnxruntime.execution_providers ?? (wantsGpu ? ['cuda', 'cpu'] : defaults.executionProviders);
  return {
    modelName: name,
    modelVersion: version,
    modelPath,
    instanceCount,
    intraOpThreads,
    interOpThreads: file.onnxruntime.inter_op_threads ?? 1,
    graphOptimizationLevel: file.onnxruntime.graph_optimization_level,
    executionProviders,
    allowSpinning: file.onnxruntime.allow_spinning,
  };
}
