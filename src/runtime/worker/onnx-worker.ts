/**
 * The main thread's handle on one model instance: a worker thread that owns its own onnxruntime
 * session. It turns the worker's messages back into promises and guarantees that none is left
 * hanging: if the thread dies, every pending run rejects with LS_ERR_RUNTIME_EXECUTION.
 */
import { Worker } from 'node:worker_threads';
import { ServingError } from '../../errors/serving-error.js';
import type { GraphTensor } from '../../types/model.js';
import type { Tensor } from '../../types/tensor.js';
import type { ExecutionProvider, ProfileTrace, RunnerOptions, RunTimings } from '../runner.js';
import { fromWireError, prepareTransfer, type WorkerReply, type WorkerRequest } from './wire.js';

/** Resolved from compiled output: dist/src/runtime/worker/onnx-worker-main.js sits next to this file. */
const WORKER_SCRIPT = new URL('./onnx-worker-main.js', import.meta.url);

/** A close that does not finish in this time (a stuck native call) ends the thread by force. */
const CLOSE_TIMEOUT_MS = 5_000;

/** What a worker reports once its session is loaded. */
export interface WorkerReady {
  readonly provider: ExecutionProvider;
  readonly warnings: readonly string[];
  readonly inputs: readonly GraphTensor[];
  readonly outputs: readonly GraphTensor[];
}

export interface WorkerRunResult {
  readonly outputs: readonly Tensor[];
  readonly timings: RunTimings;
}

/** A request awaiting its reply: `result` for a run, `profile` for end-profile. */
type AnswerReply = Extract<WorkerReply, { type: 'result' | 'profile' }>;

interface Pending {
  readonly resolve: (reply: AnswerReply) => void;
  readonly reject: (error: ServingError) => void;
}

/** One instance. Create with `OnnxWorker.start()`; run one batch at a time; `close()` when done. */
export class OnnxWorker {
  readonly #worker: Worker;
  readonly #modelName: string;
  readonly #pending = new Map<number, Pending>();
  readonly #exited: Promise<void>;
  #nextId = 1;
  #alive = true;
  #closing = false;
  #lastError: string | undefined;
  #exitError: ServingError | undefined;
  #onUnexpectedExit: ((error: ServingError) => void) | undefined;
  #ready: { resolve: (ready: WorkerReady) => void; reject: (error: ServingError) => void } | undefined;

  private constructor(options: RunnerOptions, script: URL) {
    this.#modelName = options.modelName;
    this.#worker = new Worker(script, { workerData: options, name: `layerscope:${options.modelName}` });
    this.#worker.on('message', (reply: WorkerReply) => this.#onMessage(reply));
    this.#worker.on('error', (error: Error) => (this.#lastError = error.message));
    this.#worker.on('messageerror', (error: Error) => this.#failAll(error.message));
    this.#exited = new Promise((resolve) => this.#worker.once('exit', (code: number) => resolve(this.#onExit(code))));
  }

  /**
   * Starts a worker and waits until its session is loaded. Rejects with the worker's load error
   * (LS_ERR_MODEL_LOAD_FAILED with onnxruntime's reason) once the thread has exited.
   * `script` replaces the worker entry point (tests use a scripted worker).
   */
  static start(options: RunnerOptions, script: URL = WORKER_SCRIPT): Promise<{ worker: OnnxWorker; ready: WorkerReady }> {
    const worker = new OnnxWorker(options, script);
    return new Promise((resolve, reject) => {
      worker.#ready = { resolve: (ready) => resolve({ worker, ready }), reject };
    });
  }

  /** False once the thread has exited. */
  get alive(): boolean {
    return this.#alive;
  }

  /** Called once if the thread exits without close() having been asked for (after it was ready). */
  onUnexpectedExit(listener: (error: ServingError) => void): void {
    this.#onUnexpectedExit = listener;
    const error = this.#exitError;
    if (error !== undefined && !this.#closing) queueMicrotask(() => listener(error));
  }

  /** Runs one batch. Input buffers are transferred to the worker (see wire.ts prepareTransfer). */
  async run(inputs: readonly Tensor[], outputNames: readonly string[]): Promise<WorkerRunResult> {
    const reply = await this.#request((id) => {
      const { tensors, transfer } = prepareTransfer(inputs);
      return { message: { type: 'run', id, inputs: tensors, outputNames }, transfer };
    });
    if (reply.type !== 'result') throw this.#executionError(`unexpected reply '${reply.type}' to a run`);
    return { outputs: reply.outputs, timings: reply.timings };
  }

  /**
   * Ends the profile window of a profiling instance (RunnerOptions.profiling) and returns its
   * trace; the worker starts a fresh profiling session. Send it only while no run is pending.
   */
  async endProfile(): Promise<ProfileTrace> {
    const reply = await this.#request((id) => ({ message: { type: 'end-profile', id }, transfer: [] }));
    if (reply.type !== 'profile') throw this.#executionError(`unexpected reply '${reply.type}' to end-profile`);
    return reply.trace;
  }

  /** Posts the request `build` makes for a fresh id; resolves with its reply. */
  #request(build: (id: number) => { message: WorkerRequest; transfer: ArrayBuffer[] }): Promise<AnswerReply> {
    if (!this.#alive || this.#closing) {
      return Promise.reject(this.#exitError ?? this.#executionError('the instance is closed'));
    }
    const id = this.#nextId++;
    const { message, transfer } = build(id);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(message, transfer);
    });
  }

  /** Asks the worker to release its session and exit; idempotent. Call once no run is pending. */
  async close(): Promise<void> {
    if (this.#alive && !this.#closing) {
      this.#closing = true;
      this.#worker.postMessage({ type: 'close' } satisfies WorkerRequest);
      const timer = setTimeout(() => void this.#worker.terminate(), CLOSE_TIMEOUT_MS);
      await this.#exited;
      clearTimeout(timer);
    }
    await this.#exited;
  }

  #onMessage(reply: WorkerReply): void {
    switch (reply.type) {
      case 'ready':
        this.#ready?.resolve(reply);
        this.#ready = undefined;
        return;
      case 'failed':
        // The worker exits by itself; reject start() from the exit handler so no thread lingers.
        this.#closing = true;
        this.#exitError = fromWireError(reply.error);
        return;
      case 'result':
      case 'profile':
      case 'error': {
        const pending = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        if (reply.type === 'error') pending?.reject(fromWireError(reply.error));
        else pending?.resolve(reply);
      }
    }
  }

  #onExit(code: number): void {
    this.#alive = false;
    const reason = `instance exited unexpectedly with code ${code}${this.#lastError ? `: ${this.#lastError}` : ''}`;
    if (this.#ready !== undefined) {
      this.#ready.reject(this.#exitError ?? new ServingError('LS_ERR_MODEL_LOAD_FAILED', { model: this.#modelName, detail: reason }));
      this.#ready = undefined;
      return;
    }
    this.#exitError ??= this.#executionError(reason);
    this.#failAll(reason);
    if (!this.#closing) this.#onUnexpectedExit?.(this.#exitError);
  }

  #failAll(detail: string): void {
    for (const pending of this.#pending.values()) pending.reject(this.#executionError(detail));
    this.#pending.clear();
  }

  #executionError(detail: string): ServingError {
    return new ServingError('LS_ERR_RUNTIME_EXECUTION', { model: this.#modelName, detail });
  }
}
