import type { ExecutionProvider, InferenceRunner, RunRequest, RunResult } from '../../src/runtime/runner.js';
import type { GraphTensor } from '../../src/types/model.js';
import type { Tensor } from '../../src/types/tensor.js';

/** One execution the fake runner received; it stays pending until the test releases or fails it. */
export interface RecordedRun {
  /** Dim 0 of the first input: the batch's rows. */
  readonly rows: number;
  /** Copies of the inputs as they arrived (the batcher may not reuse the originals). */
  readonly inputs: readonly Tensor[];
  readonly outputNames: readonly string[];
  /** Instance running it; -1 while it waits for one. */
  instance: number;
  settled: boolean;
  /** Completes the run with the computed outputs (or the scripted failure). */
  release(): void;
  /** Completes the run with `error`. */
  fail(error: unknown): void;
}

export interface FakeRunnerOptions {
  readonly instances?: number;
  readonly inputs?: readonly GraphTensor[];
  readonly outputs?: readonly GraphTensor[];
  /** Outputs of a run, in `outputNames` order. Default: every output is the first input × 2. */
  readonly compute?: (request: RunRequest) => Tensor[];
}

const ZERO_TIMINGS = Object.freeze({ inputNs: 1, inferNs: 2, outputNs: 3 });

function copyTensor(t: Tensor): Tensor {
  return { ...t, shape: [...t.shape], data: Array.isArray(t.data) ? t.data.map((b) => b.slice()) : t.data.slice() };
}

/** Every requested output = the first input × 2 (FP32/FP64/int arrays; BYTES are passed back). */
export function doubleFirstInput(request: RunRequest): Tensor[] {
  const first = request.inputs[0] as Tensor;
  return request.outputNames.map((name) => {
    const data = first.data;
    const doubled = Array.isArray(data) ? data.map((b) => b.slice()) : (data as Float32Array).map((v) => v * 2);
    return { name, datatype: first.datatype, shape: [...first.shape], data: doubled };
  });
}

/**
 * A gated `InferenceRunner`: each run() is recorded and stays pending until the test calls
 * `release()` / `fail()` on it. Like the real worker pool, a run takes an idle instance or waits
 * FIFO for the next one, and an instance is idle again before its run's promise settles.
 */
export class FakeRunner implements InferenceRunner {
  readonly provider: ExecutionProvider = 'cpu';
  readonly instanceCount: number;
  readonly inputs: readonly GraphTensor[];
  readonly outputs: readonly GraphTensor[];
  /** Every run in the order run() was called. */
  readonly runs: RecordedRun[] = [];
  readonly #busy: boolean[];
  readonly #waiting: ((instance: number) => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  readonly #failures: unknown[] = [];
  readonly #compute: (request: RunRequest) => Tensor[];

  constructor(options: FakeRunnerOptions = {}) {
    this.instanceCount = options.instances ?? 1;
    this.inputs = options.inputs ?? [{ name: 'x', datatype: 'FP32', shape: ['batch', 2] }];
    this.outputs = options.outputs ?? [{ name: 'y', datatype: 'FP32', shape: ['batch', 2] }];
    this.#busy = new Array<boolean>(this.instanceCount).fill(false);
    this.#compute = options.compute ?? doubleFirstInput;
  }

  /** Runs still pending (started or waiting for an instance). */
  get pendingRuns(): RecordedRun[] {
    return this.runs.filter((r) => !r.settled);
  }

  /** Batch sizes (rows) of every run so far, in order. */
  get batchRows(): number[] {
    return this.runs.map((r) => r.rows);
  }

  /** The next run to complete fails with `error` instead (scripted failures, in order). */
  failNext(error: unknown): void {
    this.#failures.push(error);
  }

  /** Releases every run currently on an instance. */
  releaseAll(): void {
    for (const run of this.runs) if (!run.settled && run.instance >= 0) run.release();
  }

  idleInstances(): number {
    return this.#busy.filter((b) => !b).length;
  }

  whenIdle(): Promise<void> {
    if (this.idleInstances() > 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  run(request: RunRequest): Promise<RunResult> {
    const first = request.inputs[0];
    return new Promise<RunResult>((resolve, reject) => {
      const record: RecordedRun = {
        rows: first?.shape[0] ?? 0,
        inputs: request.inputs.map(copyTensor),
        outputNames: [...request.outputNames],
        instance: -1,
        settled: false,
        release: () => {
          if (record.settled || record.instance < 0) throw new Error('run is not executing');
          const failure = this.#failures.shift();
          if (failure !== undefined) return record.fail(failure);
          record.settled = true;
          const instance = record.instance;
          this.#free(instance);
          resolve({ outputs: this.#compute(request), instance, timings: ZERO_TIMINGS });
        },
        fail: (error) => {
          if (record.settled || record.instance < 0) throw new Error('run is not executing');
          record.settled = true;
          this.#free(record.instance);
          reject(error);
        },
      };
      this.runs.push(record);
      const idle = this.#busy.indexOf(false);
      if (idle >= 0) this.#start(record, idle);
      else this.#waiting.push((instance) => this.#start(record, instance));
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #start(record: RecordedRun, instance: number): void {
    this.#busy[instance] = true;
    record.instance = instance;
  }

  #free(instance: number): void {
    const next = this.#waiting.shift();
    if (next !== undefined) return next(instance);
    this.#busy[instance] = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
