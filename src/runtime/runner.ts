import type { Tensor } from '../types/tensor.js';
import type { GraphTensor } from '../types/model.js';

/** Execution providers we know how to ask onnxruntime for, in the order config lists them. */
export type ExecutionProvider = 'cuda' | 'cpu';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** What a runner needs to start: validated by the repository before it gets here. */
export interface RunnerOptions {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly modelPath: string;
  /** Number of instances (workers), each with its own session. ≥ 1. */
  readonly instanceCount: number;
  /** intra-op threads per session; 0 lets onnxruntime decide. */
  readonly intraOpThreads: number;
  /** inter-op threads per session; 0 lets onnxruntime decide. */
  readonly interOpThreads: number;
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  /** Providers to try in order; the first that loads is used, with a warning on fallback. */
  readonly executionProviders: readonly ExecutionProvider[];
  /** Let onnxruntime's thread pools spin while waiting for work (costs CPU the event loop needs). */
  readonly allowSpinning: boolean;
}

/** One execution: a whole batch, inputs already concatenated along the batch dimension. */
export interface RunRequest {
  /**
   * Ownership: the runner may transfer these buffers to a worker; the caller must not read or
   * reuse them after calling run().
   */
  readonly inputs: readonly Tensor[];
  /** Which outputs to compute, in the order they should come back. */
  readonly outputNames: readonly string[];
}

export interface RunTimings {
  /** Building onnxruntime tensors from the request (ns). */
  readonly inputNs: number;
  /** session.run itself (ns). */
  readonly inferNs: number;
  /** Copying outputs out of onnxruntime tensors (ns). */
  readonly outputNs: number;
}

export interface RunResult {
  /** In the order of `outputNames`. The caller owns these buffers. */
  readonly outputs: readonly Tensor[];
  /** Index of the instance that ran the batch (0-based). */
  readonly instance: number;
  readonly timings: RunTimings;
}

/**
 * Runs forward passes of one model version. Threading contract: run() never blocks the calling
 * thread; the forward pass happens on an instance that owns its own session. If every instance is
 * busy, run() waits for the next free one (FIFO). A failing run rejects with a ServingError
 * (code LS_ERR_RUNTIME_EXECUTION) and leaves the instance usable.
 */
export interface InferenceRunner {
  /** The execution provider actually in use (after any fallback). */
  readonly provider: ExecutionProvider;
  readonly instanceCount: number;
  readonly inputs: readonly GraphTensor[];
  readonly outputs: readonly GraphTensor[];
  /** Instances not running a batch right now. */
  idleInstances(): number;
  /** Resolves when an instance becomes idle (immediately if one is). */
  whenIdle(): Promise<void>;
  run(request: RunRequest): Promise<RunResult>;
  /** Waits for in-flight runs, then ends the instances. Idempotent. */
  close(): Promise<void>;
}

/** Builds runners; the repository depends on this, tests pass fakes. */
export interface RunnerFactory {
  create(options: RunnerOptions, onWarning?: (message: string) => void): Promise<InferenceRunner>;
}
