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
  /**
   * Nice value (0–19) of the instance's threads (its worker and onnxruntime's pool threads, which
   * inherit it); absent or 0: the process's own. On Linux a nice value is per thread, so this lowers
   * only the instance against the event loop: the observers' runners use it to yield the CPU to
   * serving. Applied on Linux only (elsewhere a nice value belongs to the whole process); where
   * the platform refuses it the instance runs at normal priority.
   */
  readonly niceness?: number;
  /**
   * Turns on onnxruntime's profiler for every session of the runner (observe/layers). Profiling is
   * fixed per session, so a profiling runner has exactly one instance and its profile is collected
   * window by window with `endProfile()`. Absent: no profiling (the serving runners).
   */
  readonly profiling?: ProfilingOptions;
}

export interface ProfilingOptions {
  /** An existing directory the sessions write their profile files into (one file per window). */
  readonly dir: string;
}

/** One kernel execution in a profiled forward pass, as onnxruntime's profiler names it. */
export interface ProfiledNode {
  /** The profiler's event name (`/block1/conv/Conv_kernel_time`, `fused /fc/Gemm_kernel_time`). */
  readonly name: string;
  /** The kernel's op type (`Conv`, `FusedGemm`, `BiasGelu`, ...). */
  readonly opType: string;
  readonly durationUs: number;
}

/** One profiled forward pass (one session.run). */
export interface ProfiledRun {
  /** onnxruntime's `model_run` event: the whole run inside the session (µs). */
  readonly runUs: number;
  /** The executor's `SequentialExecutor::Execute` event: the forward pass proper (µs); 0 if absent. */
  readonly executeUs: number;
  /** Kernels in execution order. */
  readonly nodes: readonly ProfiledNode[];
}

/** What a profiling runner measured since its previous `endProfile()`. */
export interface ProfileTrace {
  /** Forward passes in execution order, warm-up runs excluded. */
  readonly runs: readonly ProfiledRun[];
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
  /**
   * Present on runners that can profile. For a runner started with `profiling` (one instance):
   * queues behind earlier runs (FIFO), ends the session's profile window, reads and deletes the
   * profile file, and starts a fresh profiling session for the next window. The parsing happens
   * on the instance's thread, never on the caller's. Rejects (LS_ERR_RUNTIME_EXECUTION) when the
   * runner does not profile or has more than one instance.
   */
  endProfile?(): Promise<ProfileTrace>;
  /** Waits for in-flight runs, then ends the instances. Idempotent. */
  close(): Promise<void>;
}

/** Builds runners; the repository depends on this, tests pass fakes. */
export interface RunnerFactory {
  create(options: RunnerOptions, onWarning?: (message: string) => void): Promise<InferenceRunner>;
}
