import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { channels, subscribe, type BatchEvent, type FailureReason, type ModelStateEvent, type QueueEvent, type RequestEndEvent } from '../events.js';

/** Failure reasons, all pre-created at 0 for every ready model version (Triton's habit). */
export const FAILURE_REASONS: readonly FailureReason[] = ['rejected', 'canceled', 'backend', 'invalid', 'other'];

/** Latency buckets in seconds: 100 µs … 30 s, dense where small models live. */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

const NS = 1e-9;

/**
 * The serving metrics of DESIGN.md §3 / issue 4 (names are a contract), fed by the core's events.
 * Labels are `model` and `version` only (plus `reason`, `phase`, `provider` from fixed sets).
 */
export class ServingMetrics {
  readonly #success: Counter<'model' | 'version'>;
  readonly #failure: Counter<'model' | 'version' | 'reason'>;
  readonly #inferences: Counter<'model' | 'version'>;
  readonly #executions: Counter<'model' | 'version'>;
  readonly #requestDuration: Histogram<'model' | 'version'>;
  readonly #queueDuration: Histogram<'model' | 'version'>;
  readonly #computeDuration: Histogram<'model' | 'version' | 'phase'>;
  readonly #batchSize: Histogram<'model' | 'version'>;
  readonly #pending: Gauge<'model' | 'version'>;
  readonly #loadDuration: Gauge<'model' | 'version'>;
  readonly #ready: Gauge<'model' | 'version'>;
  readonly #provider: Gauge<'model' | 'version' | 'provider'>;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(registry: Registry) {
    const registers = [registry];
    const mv = ['model', 'version'] as const;
    this.#success = new Counter({ name: 'layerscope_request_success_total', help: 'Successful inference requests (each counts 1 whatever its batch size).', labelNames: mv, registers });
    this.#failure = new Counter({ name: 'layerscope_request_failure_total', help: 'Failed inference requests by reason: rejected (queue full/timeout/draining), canceled (client gone), backend (execution failed), invalid (bad request), other.', labelNames: [...mv, 'reason'], registers });
    this.#inferences = new Counter({ name: 'layerscope_inference_count_total', help: 'Inferences performed: rows, a batch of n counts n.', labelNames: mv, registers });
    this.#executions = new Counter({ name: 'layerscope_execution_count_total', help: 'Model executions (batches run by an instance).', labelNames: mv, registers });
    this.#requestDuration = new Histogram({ name: 'layerscope_request_duration_seconds', help: 'End-to-end request time inside the server, from validation to the response being ready.', labelNames: mv, buckets: LATENCY_BUCKETS, registers });
    this.#queueDuration = new Histogram({ name: 'layerscope_queue_duration_seconds', help: 'Time a request waited in the scheduler queue before its batch started.', labelNames: mv, buckets: LATENCY_BUCKETS, registers });
    this.#computeDuration = new Histogram({ name: 'layerscope_compute_duration_seconds', help: 'Per execution: input preparation, forward pass and output extraction time.', labelNames: [...mv, 'phase'], buckets: LATENCY_BUCKETS, registers });
    this.#batchSize = new Histogram({ name: 'layerscope_batch_size', help: 'Rows per model execution.', labelNames: mv, buckets: BATCH_SIZE_BUCKETS, registers });
    this.#pending = new Gauge({ name: 'layerscope_pending_requests', help: 'Requests accepted and waiting for an instance (queue depth).', labelNames: mv, registers });
    this.#loadDuration = new Gauge({ name: 'layerscope_model_load_duration_seconds', help: 'Time the last load of the model version took, warm-up included.', labelNames: mv, registers });
    this.#ready = new Gauge({ name: 'layerscope_model_ready', help: '1 if the model version is READY, else 0.', labelNames: mv, registers });
    this.#provider = new Gauge({ name: 'layerscope_execution_provider_info', help: 'Execution provider the model version runs on (value is always 1).', labelNames: [...mv, 'provider'], registers });
  }

  /** Subscribe to the core's event channels. */
  start(): this {
    this.#unsubscribe.push(
      subscribe<RequestEndEvent>(channels.requestEnd, (e) => this.#request(e)),
      subscribe<BatchEvent>(channels.batch, (e) => this.#batch(e)),
      subscribe<QueueEvent>(channels.queue, (e) => this.#queue(e)),
      subscribe<ModelStateEvent>(channels.modelState, (e) => this.#modelState(e)),
    );
    return this;
  }

  stop(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #request(e: RequestEndEvent): void {
    const labels = { model: e.model, version: e.version };
    if (!e.ok) {
      this.#failure.inc({ ...labels, reason: e.reason ?? 'other' });
      return;
    }
    this.#success.inc(labels);
    this.#inferences.inc(labels, e.rows);
    this.#requestDuration.observe(labels, e.durationNs * NS);
    this.#queueDuration.observe(labels, e.queueNs * NS);
  }

  #batch(e: BatchEvent): void {
    const labels = { model: e.model, version: e.version };
    this.#executions.inc(labels);
    this.#batchSize.observe(labels, e.rows);
    this.#computeDuration.observe({ ...labels, phase: 'input' }, e.timings.inputNs * NS);
    this.#computeDuration.observe({ ...labels, phase: 'infer' }, e.timings.inferNs * NS);
    this.#computeDuration.observe({ ...labels, phase: 'output' }, e.timings.outputNs * NS);
  }

  #queue(e: QueueEvent): void {
    this.#pending.set({ model: e.model, version: e.version }, e.pending);
  }

  #modelState(e: ModelStateEvent): void {
    const labels = { model: e.model, version: e.version };
    this.#ready.set(labels, e.state === 'READY' ? 1 : 0);
    if (e.state !== 'READY') return;
    if (e.loadDurationS !== undefined) this.#loadDuration.set(labels, e.loadDurationS);
    if (e.provider !== undefined) this.#provider.set({ ...labels, provider: e.provider }, 1);
    // Pre-create every series so rate() and absent() work before the first request.
    this.#success.inc(labels, 0);
    this.#inferences.inc(labels, 0);
    this.#executions.inc(labels, 0);
    this.#pending.set(labels, 0);
    for (const reason of FAILURE_REASONS) this.#failure.inc({ ...labels, reason }, 0);
  }
}
