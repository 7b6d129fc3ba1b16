import type { Context } from '@opentelemetry/api';
import type { InferenceRunner, RunTimings } from '../runtime/runner.js';
import type { Tensor } from '../types/tensor.js';
import type { ResolvedModelConfig } from '../repository/derive-config.js';

/**
 * How a queued request learns that its client went away: the part of AbortSignal the batcher
 * uses, so an AbortSignal works, and so does a one-listener object that costs less per request
 * (server/http/client-gone.ts).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A validated request on its way to a runner. */
export interface ScheduledRequest {
  /** Inputs in the model's input order; batch dim first when the model batches. */
  readonly inputs: readonly Tensor[];
  /** Rows this request contributes to a batch: its batch dim, or 1 for a non-batching model. */
  readonly rows: number;
  /** Priority level (1 = highest); 0/absent → the model's default. */
  readonly priority?: number;
  /** Queue timeout override in microseconds. */
  readonly timeoutUs?: number;
  /** Aborted when the client goes away: a queued request is dropped, a running one is not. */
  readonly signal?: CancelSignal;
  /** The request's trace context (its `infer` span); batch spans link to it. */
  readonly traceContext?: Context;
}

export interface ScheduledResult {
  /** Every model output, sliced to this request's rows, in the model's output order. */
  readonly outputs: readonly Tensor[];
  /** Time from enqueue to the batch starting (ns). */
  readonly queueNs: number;
  readonly timings: RunTimings;
  /** Rows in the batch this request rode in. */
  readonly batchRows: number;
  readonly instance: number;
}

/**
 * Queues requests for one model version and runs them on its runner. Contract: enqueue() settles
 * exactly once; a rejected promise carries a ServingError (queue full, timeout, canceled,
 * execution failed). drain() stops accepting work and resolves when everything queued has run.
 */
export interface Scheduler {
  enqueue(request: ScheduledRequest): Promise<ScheduledResult>;
  /** Requests accepted but not yet started by an instance. */
  pending(): number;
  drain(): Promise<void>;
}

export interface SchedulerTarget {
  readonly name: string;
  readonly version: string;
  readonly config: ResolvedModelConfig;
  readonly runner: InferenceRunner;
}

export type SchedulerFactory = (target: SchedulerTarget) => Scheduler;
