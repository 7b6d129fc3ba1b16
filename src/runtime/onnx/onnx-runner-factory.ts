/**
 * The onnxruntime RunnerFactory: each runner is a pool of worker-thread instances, each owning its
 * own session, because session.run() blocks the thread it runs on. Measured on 2 cores, two
 * single-thread instances give 1.75–1.9× one and keep the event loop free (measurements.md §1).
 */
import { ServingError } from '../../errors/serving-error.js';
import type { InferenceRunner, RunnerFactory, RunnerOptions } from '../runner.js';
import { OnnxWorker, type WorkerReady } from '../worker/onnx-worker.js';
import { WorkerPool } from '../worker/worker-pool.js';

export interface OnnxRunnerFactoryOptions {
  /** Worker entry point to start instead of onnx-worker-main.js (tests script a crashing worker). */
  readonly workerScript?: URL;
}

type Warn = (message: string) => void;

/** Builds runners whose instances are worker threads running onnxruntime-node. */
export function createOnnxRunnerFactory(factoryOptions: OnnxRunnerFactoryOptions = {}): RunnerFactory {
  return { create: (options, onWarning) => startOnnxRunner(options, onWarning ?? (() => {}), factoryOptions.workerScript) };
}

/**
 * Starts every instance and waits until all are ready. If one fails, the others are closed and the
 * promise rejects with that instance's error (LS_ERR_MODEL_LOAD_FAILED with onnxruntime's reason).
 * Provider fallback warnings are reported once each, not once per instance.
 */
async function startOnnxRunner(options: RunnerOptions, onWarning: Warn, script: URL | undefined): Promise<InferenceRunner> {
  if (!Number.isInteger(options.instanceCount) || options.instanceCount < 1) {
    throw new ServingError('LS_ERR_MODEL_LOAD_FAILED', {
      model: options.modelName,
      detail: `instanceCount must be an integer ≥ 1, got ${options.instanceCount}`,
    });
  }
  const starts = Array.from({ length: options.instanceCount }, () => OnnxWorker.start(options, script));
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) {
    await Promise.all(started.map(({ worker }) => worker.close()));
    throw failure.reason;
  }
  const first = started[0]?.ready as WorkerReady; // instanceCount ≥ 1, and every start succeeded
  for (const warning of new Set(started.flatMap(({ ready }) => ready.warnings))) onWarning(warning);
  const workers = started.map(({ worker }) => worker);
  return new WorkerPool({ options, ready: first, workers, onWarning, script });
}

