import type { z } from 'zod';
import { createDynamicBatcher } from '../../../src/batching/dynamic-batcher.js';
import type { Scheduler, ScheduledRequest, ScheduledResult } from '../../../src/batching/scheduler.js';
import type { ResolvedModelConfig } from '../../../src/repository/derive-config.js';
import { dynamicBatchingSchema, modelConfigSchema } from '../../../src/repository/model-config.js';
import type { TensorSpec } from '../../../src/types/model.js';
import type { Tensor } from '../../../src/types/tensor.js';
import { FakeRunner, type FakeRunnerOptions } from '../../helpers/fake-runner.js';
import { FakeClock } from './fake-clock.js';

export type BatchingInput = z.input<typeof dynamicBatchingSchema>;

export interface SetupOptions {
  /** Decide at the end of the event-loop turn, as the real clock does (Clock.defer). */
  readonly deferPump?: boolean;
  readonly maxBatchSize?: number;
  /** `dynamic_batching` as written in config.json; null = the model has none. */
  readonly batching?: BatchingInput | null;
  readonly instances?: number;
  readonly outputs?: readonly TensorSpec[];
  readonly compute?: FakeRunnerOptions['compute'];
}

export interface Setup {
  readonly batcher: Scheduler;
  readonly runner: FakeRunner;
  readonly clock: FakeClock;
}

/** A batcher over a model with input `x` FP32 [-1, -1] and output `y` = x × 2, on a gated fake runner. */
export function setup(options: SetupOptions = {}): Setup {
  const maxBatchSize = options.maxBatchSize ?? 8;
  const outputs = options.outputs ?? [{ name: 'y', datatype: 'FP32', dims: [-1] }];
  const config: ResolvedModelConfig = {
    name: 'fake',
    platform: 'onnxruntime_onnx',
    maxBatchSize,
    inputs: [{ name: 'x', datatype: 'FP32', dims: [-1] }],
    outputs,
    file: modelConfigSchema.parse({}),
    ...(options.batching === null ? {} : { dynamicBatching: dynamicBatchingSchema.parse(options.batching ?? {}) }),
  };
  const runner = new FakeRunner({
    instances: options.instances ?? 1,
    outputs: outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: ['batch', ...o.dims] })),
    ...(options.compute ? { compute: options.compute } : {}),
  });
  const clock = new FakeClock();
  if (options.deferPump) (clock as FakeClock & { defer?: (fn: () => void) => void }).defer = (fn) => void setImmediate(fn);
  const batcher = createDynamicBatcher({ name: 'fake', version: '1', config, runner }, { clock });
  return { batcher, runner, clock };
}

export interface RequestOptions {
  /** Elements per row (the non-batch dim). */
  readonly width?: number;
  /** Value of the first element; the others count up from it. */
  readonly first?: number;
  readonly priority?: number;
  readonly timeoutUs?: number;
  readonly signal?: AbortSignal;
}

/** A request of `rows` rows whose elements are first, first+1, … so every row is recognisable. */
export function rowsRequest(rows: number, options: RequestOptions = {}): ScheduledRequest {
  const width = options.width ?? 2;
  const first = options.first ?? 0;
  const data = Float32Array.from({ length: rows * width }, (_, i) => first + i);
  return {
    inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, width], data }],
    rows,
    ...(options.priority !== undefined ? { priority: options.priority } : {}),
    ...(options.timeoutUs !== undefined ? { timeoutUs: options.timeoutUs } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
}

/** Lets promise callbacks and the batcher's reactions to settled runs happen. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface Tracked {
  readonly promise: Promise<ScheduledResult>;
  settled: boolean;
  result: ScheduledResult | undefined;
  error: (Error & { code?: string; kind?: string }) | undefined;
}

/** Watches an enqueue() without awaiting it, so a test can ask whether it settled yet. */
export function track(promise: Promise<ScheduledResult>): Tracked {
  const tracked: Tracked = { promise, settled: false, result: undefined, error: undefined };
  promise.then(
    (result) => {
      tracked.settled = true;
      tracked.result = result;
    },
    (error: Error) => {
      tracked.settled = true;
      tracked.error = error;
    },
  );
  return tracked;
}

/** Order in which tracked requests settled, by index. */
export function settleOrder(requests: readonly Tracked[]): number[] {
  const order: number[] = [];
  requests.forEach((r, i) => {
    void r.promise.then(
      () => order.push(i),
      () => order.push(i),
    );
  });
  return order;
}

export function values(tensor: Tensor | undefined): number[] {
  if (tensor === undefined) throw new Error('no tensor');
  return Array.from(tensor.data as Float32Array);
}

/** Releases every executing run and lets the batcher react, `rounds` times. */
export async function releaseRounds(runner: FakeRunner, rounds = 1): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    runner.releaseAll();
    await tick();
  }
}
