/**
 * The runner's instance pool: worker-thread instances (onnx-worker.ts), each with its own
 * session, fed first come first served. A run goes to an idle instance at once, else waits in a
 * ring-buffer queue for the next one to free up; a freed instance is handed straight to the oldest
 * waiting run so no batch waits while an instance idles. An instance whose thread dies fails its
 * run (LS_ERR_RUNTIME_EXECUTION), is reported through onWarning, and is restarted.
 */
import { ServingError } from '../../errors/serving-error.js';
import type { GraphTensor } from '../../types/model.js';
import { RingQueue } from '../../util/ring-queue.js';
import type { ExecutionProvider, InferenceRunner, ProfileTrace, RunnerOptions, RunRequest, RunResult } from '../runner.js';
import { OnnxWorker, type WorkerReady } from './onnx-worker.js';

/** One instance position; its worker is replaced if the thread dies. */
interface Slot {
  readonly index: number;
  worker: OnnxWorker | undefined;
  busy: boolean;
}

interface Waiter {
  readonly resolve: (slot: Slot) => void;
  readonly reject: (error: ServingError) => void;
}

export interface WorkerPoolOptions {
  readonly options: RunnerOptions;
  /** What the first instance reported: provider and graph inputs/outputs. */
  readonly ready: WorkerReady;
  /** Started, ready instances; their order gives the instance indexes. */
  readonly workers: readonly OnnxWorker[];
  readonly onWarning: (message: string) => void;
  /** Worker entry point for restarts (the default one when undefined). */
  readonly script: URL | undefined;
}

/** An InferenceRunner over already started instances. Build it with createOnnxRunnerFactory(). */
export class WorkerPool implements InferenceRunner {
  readonly provider: ExecutionProvider;
  readonly instanceCount: number;
  readonly inputs: readonly GraphTensor[];
  readonly outputs: readonly GraphTensor[];
  readonly #options: RunnerOptions;
  readonly #onWarning: (message: string) => void;
  readonly #script: URL | undefined;
  readonly #slots: Slot[];
  readonly #waiting = new RingQueue<Waiter>();
  #idleWaiters: (() => void)[] = [];
  /** Accepted runs and instance restarts that close() must wait for. */
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed: Promise<void> | undefined;

  constructor({ options, ready, workers, onWarning, script }: WorkerPoolOptions) {
    this.provider = ready.provider;
    this.instanceCount = workers.length;
    this.inputs = ready.inputs;
    this.outputs = ready.outputs;
    this.#options = options;
    this.#onWarning = onWarning;
    this.#script = script;
    this.#slots = workers.map((worker, index) => ({ index, worker, busy: false }));
    for (const slot of this.#slots) this.#watch(slot);
  }

  idleInstances(): number {
    let idle = 0;
    for (const slot of this.#slots) if (slot.worker !== undefined && !slot.busy) idle++;
    return idle;
  }

  /** Also resolves once the runner is closed or has lost every instance, so callers never hang. */
  whenIdle(): Promise<void> {
    const lost = this.#slots.every((slot) => slot.worker === undefined && !slot.busy);
    if (this.idleInstances() > 0 || this.#closed !== undefined || lost) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  run(request: RunRequest): Promise<RunResult> {
    if (this.#closed !== undefined) return Promise.reject(new ServingError('LS_ERR_SHUTTING_DOWN'));
    return this.#track(this.#execute(request));
  }

  /**
   * Ends the profile window of a profiling runner (RunnerOptions.profiling, one instance): waits
   * its turn behind earlier runs like a run does, so the trace holds every run accepted before.
   */
  endProfile(): Promise<ProfileTrace> {
    if (this.#closed !== undefined) return Promise.reject(new ServingError('LS_ERR_SHUTTING_DOWN'));
    if (this.#options.profiling === undefined || this.instanceCount !== 1) {
      return Promise.reject(
        new ServingError('LS_ERR_RUNTIME_EXECUTION', {
          model: this.#options.modelName,
          detail: 'endProfile() needs a runner started with profiling and exactly one instance',
        }),
      );
    }
    return this.#track(this.#endProfile());
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  async #endProfile(): Promise<ProfileTrace> {
    const slot = await this.#acquire();
    try {
      return await (slot.worker as OnnxWorker).endProfile(); // an acquired slot always has a live worker
    } finally {
      this.#release(slot);
    }
  }

  async #execute(request: RunRequest): Promise<RunResult> {
    const slot = await this.#acquire();
    try {
      const worker = slot.worker as OnnxWorker; // an acquired slot always has a live worker
      const { outputs, timings } = await worker.run(request.inputs, request.outputNames);
      return { outputs, timings, instance: slot.index };
    } finally {
      this.#release(slot);
    }
  }

  /** An idle instance now, else the next one to free up, first come first served. */
  #acquire(): Promise<Slot> {
    const idle = this.#slots.find((slot) => slot.worker !== undefined && !slot.busy);
    if (idle !== undefined) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (!this.#slots.some((slot) => slot.busy)) return Promise.reject(this.#noInstanceError());
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Hands the instance to the oldest waiting run, or marks it idle; restarts it if it died. */
  #release(slot: Slot): void {
    if (slot.worker !== undefined && !slot.worker.alive) {
      this.#restart(slot);
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) {
      next.resolve(slot);
      return;
    }
    slot.busy = false;
    this.#wakeIdleWaiters();
  }

  #wakeIdleWaiters(): void {
    const idleWaiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of idleWaiters) resolve();
  }

  #watch(slot: Slot): void {
    slot.worker?.onUnexpectedExit((error) => {
      this.#onWarning(`instance ${slot.index} of model '${this.#options.modelName}': ${error.message}`);
      // A busy slot restarts when its failed run releases it.
      if (!slot.busy) {
        slot.busy = true;
        this.#restart(slot);
      }
    });
  }

  /** Replaces a dead instance; the slot stays busy (unavailable) until the new one is ready. */
  #restart(slot: Slot): void {
    slot.busy = true;
    slot.worker = undefined;
    if (this.#closed !== undefined) return this.#afterLoss(slot);
    const restart = OnnxWorker.start(this.#options, this.#script).then(
      ({ worker }) => {
        slot.worker = worker;
        this.#watch(slot);
        this.#release(slot);
      },
      (error: unknown) => {
        this.#onWarning(`instance ${slot.index} of model '${this.#options.modelName}' failed to restart: ${String(error)}`);
        this.#afterLoss(slot);
      },
    );
    void this.#track(restart); // close() waits for it; failures are handled above
  }

  /**
   * A slot without a worker serves nothing. When none is left, nothing may wait forever: queued
   * runs reject, whenIdle() resolves, and later runs reject at once.
   */
  #afterLoss(slot: Slot): void {
    slot.busy = false;
    if (this.#slots.some((s) => s.worker !== undefined || s.busy)) return;
    const error = this.#noInstanceError();
    for (let waiter = this.#waiting.shift(); waiter !== undefined; waiter = this.#waiting.shift()) waiter.reject(error);
    this.#wakeIdleWaiters();
  }

  #noInstanceError(): ServingError {
    return new ServingError('LS_ERR_RUNTIME_EXECUTION', {
      model: this.#options.modelName,
      detail: 'no instance is running (every instance exited and could not be restarted)',
    });
  }

  #track<T>(task: Promise<T>): Promise<T> {
    this.#inFlight.add(task);
    const forget = (): void => void this.#inFlight.delete(task);
    task.then(forget, forget);
    return task;
  }

  /** Waits for accepted runs (queued ones included) and restarts, then ends every instance. */
  async #shutdown(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    this.#wakeIdleWaiters();
    await Promise.all(this.#slots.map((slot) => slot.worker?.close()));
  }
}
