import { channels, subscribe, type BatchEvent, type RequestEndEvent } from '../events.js';

/** A count and a total duration, Triton's `{count, ns}`. */
export interface Duration {
  count: number;
  ns: number;
}

/** Per-batch-size execution statistics. */
export interface BatchSizeStats {
  readonly batchSize: number;
  readonly computeInput: Duration;
  readonly computeInfer: Duration;
  readonly computeOutput: Duration;
}

/** Everything the statistics extension reports for one model version (numbers, not strings). */
export interface ModelVersionStats {
  readonly name: string;
  readonly version: string;
  lastInferenceMs: number;
  inferenceCount: number;
  executionCount: number;
  readonly success: Duration;
  readonly fail: Duration;
  readonly queue: Duration;
  readonly computeInput: Duration;
  readonly computeInfer: Duration;
  readonly computeOutput: Duration;
  readonly batches: Map<number, BatchSizeStats>;
}

const zero = (): Duration => ({ count: 0, ns: 0 });

function add(d: Duration, ns: number): void {
  d.count += 1;
  d.ns += Math.max(0, Math.round(ns));
}

/**
 * Triton-style inference statistics kept from the core's events (requests end, batches run).
 * Semantics (reference §3.3): inference_count += rows per successful request; execution_count +1
 * per batch; queue.count equals success.count (perf_analyzer picks the version whose queue count
 * grew); batch_stats per executed batch size.
 */
export class InferenceStats {
  readonly #stats = new Map<string, ModelVersionStats>();
  readonly #unsubscribe: (() => void)[] = [];

  /** Start listening to the event channels. */
  start(): this {
    this.#unsubscribe.push(
      subscribe<RequestEndEvent>(channels.requestEnd, (e) => this.#request(e)),
      subscribe<BatchEvent>(channels.batch, (e) => this.#batch(e)),
    );
    return this;
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  /** Statistics of one model version; zeros if nothing ran yet. */
  get(name: string, version: string): ModelVersionStats {
    return this.#entry(name, version);
  }

  #entry(name: string, version: string): ModelVersionStats {
    const key = `${name}\u0000${version}`;
    let entry = this.#stats.get(key);
    if (!entry) {
      entry = {
        name,
        version,
        lastInferenceMs: 0,
        inferenceCount: 0,
        executionCount: 0,
        success: zero(),
        fail: zero(),
        queue: zero(),
        computeInput: zero(),
        computeInfer: zero(),
        computeOutput: zero(),
        batches: new Map(),
      };
      this.#stats.set(key, entry);
    }
    return entry;
  }

  #request(event: RequestEndEvent): void {
    const entry = this.#entry(event.model, event.version);
    if (!event.ok) {
      add(entry.fail, event.durationNs);
      return;
    }
    entry.lastInferenceMs = Date.now();
    entry.inferenceCount += event.rows;
    add(entry.success, event.durationNs);
    add(entry.queue, event.queueNs);
    add(entry.computeInput, event.computeInputNs);
    add(entry.computeInfer, event.computeInferNs);
    add(entry.computeOutput, event.computeOutputNs);
  }

  #batch(event: BatchEvent): void {
    const entry = this.#entry(event.model, event.version);
    entry.executionCount += 1;
    let sized = entry.batches.get(event.rows);
    if (!sized) {
      sized = { batchSize: event.rows, computeInput: zero(), computeInfer: zero(), computeOutput: zero() };
      entry.batches.set(event.rows, sized);
    }
    add(sized.computeInput, event.timings.inputNs);
    add(sized.computeInfer, event.timings.inferNs);
    add(sized.computeOutput, event.timings.outputNs);
  }
}
