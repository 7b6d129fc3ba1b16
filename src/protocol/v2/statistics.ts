import type { Duration, ModelVersionStats } from '../../observe/stats/inference-stats.js';

const d = (x: Duration): { count: number; ns: number } => ({ count: x.count, ns: x.ns });

/**
 * One `model_stats[]` entry of the statistics extension (reference §3.3). Every field perf_analyzer
 * reads is present; counts are numbers and `version` a string.
 */
export function modelStatsJson(stats: ModelVersionStats): object {
  return {
    name: stats.name,
    version: stats.version,
    last_inference: stats.lastInferenceMs,
    inference_count: stats.inferenceCount,
    execution_count: stats.executionCount,
    inference_stats: {
      success: d(stats.success),
      fail: d(stats.fail),
      queue: d(stats.queue),
      compute_input: d(stats.computeInput),
      compute_infer: d(stats.computeInfer),
      compute_output: d(stats.computeOutput),
      cache_hit: { count: 0, ns: 0 },
      cache_miss: { count: 0, ns: 0 },
    },
    response_stats: {},
    batch_stats: [...stats.batches.values()]
      .sort((a, b) => a.batchSize - b.batchSize)
      .map((b) => ({
        batch_size: b.batchSize,
        compute_input: d(b.computeInput),
        compute_infer: d(b.computeInfer),
        compute_output: d(b.computeOutput),
      })),
    memory_usage: [],
  };
}
