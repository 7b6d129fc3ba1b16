import diagnostics_channel, { type Channel } from 'node:diagnostics_channel';
import type { Context } from '@opentelemetry/api';
import type { RunTimings } from '../runtime/runner.js';
import type { Tensor } from '../types/tensor.js';

/**
 * The telemetry event catalogue. Core modules (repository, batching, dataplane) publish on these
 * channels; observe/ subscribes (metrics, tracing, logs). Publishing costs almost nothing when
 * nobody subscribes (`hasSubscribers` is checked first). Subscribers must never throw.
 */

export type ModelState = 'LOADING' | 'READY' | 'UNAVAILABLE' | 'UNLOADING';

export interface ModelStateEvent {
  readonly model: string;
  readonly version: string;
  readonly state: ModelState;
  readonly reason: string;
  /** Set on READY: seconds spent loading and warming up. */
  readonly loadDurationS?: number;
  /** Set on READY: the execution provider in use. */
  readonly provider?: string;
  /** Set on READY: the model file path. */
  readonly path?: string;
}

/** Why a request failed, in Triton's terms (metrics label `reason`). */
export type FailureReason = 'rejected' | 'canceled' | 'backend' | 'invalid' | 'other';

export interface RequestEndEvent {
  readonly model: string;
  readonly version: string;
  readonly ok: boolean;
  readonly reason?: FailureReason;
  /** Rows the request carried. */
  readonly rows: number;
  readonly durationNs: number;
  readonly queueNs: number;
  /** Share of the batch's compute time attributed to this request. */
  readonly computeInputNs: number;
  readonly computeInferNs: number;
  readonly computeOutputNs: number;
}

export interface BatchEvent {
  readonly model: string;
  readonly version: string;
  readonly rows: number;
  readonly requests: number;
  readonly instance: number;
  readonly timings: RunTimings;
}

/**
 * Published synchronously just before a batch runs. The inputs are about to be transferred to a
 * worker: a subscriber that samples the batch must copy what it needs before returning, and must
 * never mutate them. Costs nothing when nobody subscribes.
 */
export interface BatchStartEvent {
  readonly model: string;
  readonly version: string;
  readonly rows: number;
  readonly inputs: readonly Tensor[];
  /** Set when the batch is traced: its context holds the batch span (per-layer spans go under it). */
  readonly traceContext?: Context;
}

export interface QueueEvent {
  readonly model: string;
  readonly version: string;
  /** Requests waiting, not yet started by an instance. */
  readonly pending: number;
}

export const channels = Object.freeze({
  modelState: diagnostics_channel.channel('layerscope:model:state'),
  requestEnd: diagnostics_channel.channel('layerscope:request:end'),
  batch: diagnostics_channel.channel('layerscope:batch'),
  batchStart: diagnostics_channel.channel('layerscope:batch:start'),
  queue: diagnostics_channel.channel('layerscope:queue'),
});

export function publishModelState(event: ModelStateEvent): void {
  if (channels.modelState.hasSubscribers) channels.modelState.publish(event);
}

export function publishRequestEnd(event: RequestEndEvent): void {
  if (channels.requestEnd.hasSubscribers) channels.requestEnd.publish(event);
}

export function publishBatch(event: BatchEvent): void {
  if (channels.batch.hasSubscribers) channels.batch.publish(event);
}

export function publishBatchStart(event: BatchStartEvent): void {
  if (channels.batchStart.hasSubscribers) channels.batchStart.publish(event);
}

export function publishQueue(event: QueueEvent): void {
  if (channels.queue.hasSubscribers) channels.queue.publish(event);
}

/**
 * Subscribe to a channel; returns the unsubscribe function. A subscriber that throws is contained
 * here: diagnostics_channel would rethrow it as an uncaught exception, and telemetry must never
 * take the server down.
 */
export function subscribe<T>(channel: Channel, fn: (event: T) => void, onError?: (err: unknown) => void): () => void {
  const handler = (message: unknown): void => {
    try {
      fn(message as T);
    } catch (err) {
      onError?.(err);
    }
  };
  channel.subscribe(handler);
  return () => void channel.unsubscribe(handler);
}
