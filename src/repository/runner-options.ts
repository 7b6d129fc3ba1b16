import { availableParallelism } from 'node:os';
import type { ExecutionProvider, RunnerOptions } from '../runtime/runner.js';
import type { ModelConfigFile } from './model-config.js';

export interface RuntimeDefaults {
  /** 0 = from the core count. */
  readonly instanceCount: number;
  /** 0 = from the core count. */
  readonly intraOpThreads: number;
  readonly executionProviders: readonly ExecutionProvider[];
  readonly cores?: number;
}

/**
 * Runner options for one model version. Sizing (reference/measurements.md §1): onnxruntime's
 * spinning pools fight the event loop on small machines, so spinning is off by default, and
 * instances × intra-op threads never exceed the cores. Two 1-thread instances beat one 2-thread
 * instance on 2 cores, so by default a model gets min(2, cores) instances.
 */
export function runnerOptions(
  name: string,
  version: string,
  modelPath: string,
  file: ModelConfigFile,
  defaults: RuntimeDefaults,
): RunnerOptions {
  const cores = Math.max(1, defaults.cores ?? availableParallelism());
  const groups = file.instance_group ?? [];
  const configured = groups.reduce((sum, g) => sum + g.count, 0);
  const instanceCount = configured > 0 ? configured : defaults.instanceCount > 0 ? defaults.instanceCount : Math.min(2, cores);
  const intraOpThreads =
    file.onnxruntime.intra_op_threads ??
    (defaults.intraOpThreads > 0 ? defaults.intraOpThreads : Math.max(1, Math.floor(cores / instanceCount)));
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
