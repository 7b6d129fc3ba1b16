import type { ActivationSink, DriftSink, LayerObservation, ModelLabels } from '../../../../src/observe/activations/activation-sink.js';
import type { InstrumentedRunner, ObservedLayer } from '../../../../src/observe/activations/instrumented-runner.js';
import type { BatchStartEvent } from '../../../../src/observe/events.js';
import type { ExecutionProvider, InferenceRunner, RunnerFactory, RunnerOptions, RunRequest, RunResult } from '../../../../src/runtime/runner.js';
import type { GraphTensor } from '../../../../src/types/model.js';
import type { Tensor } from '../../../../src/types/tensor.js';

interface PendingRun {
  readonly inputs: readonly Tensor[];
  resolve(outputs: readonly Tensor[]): void;
  reject(error: unknown): void;
}

/**
 * An InstrumentedRunner without onnxruntime: every layer outputs `compute(input)` of the first
 * input, per layer; runs complete at once unless `gated`, then they wait for release()/fail().
 */
export class FakeInstrumentedRunner implements InstrumentedRunner {
  readonly layers: readonly ObservedLayer[];
  readonly inputs: readonly GraphTensor[] = [{ name: 'x', datatype: 'FP32', shape: ['batch', 4] }];
  readonly unmatched: readonly string[] = [];
  readonly received: (readonly Tensor[])[] = [];
  readonly pending: PendingRun[] = [];
  closed = false;
  failNext: unknown = undefined;

  constructor(
    layerNames: readonly string[] = ['a', 'b'],
    readonly compute: (layer: number, input: Float32Array) => Float32Array = (layer, x) => x.map((v) => v * (layer + 1)),
    readonly gated = false,
  ) {
    this.layers = layerNames.map((name) => ({ name, tensor: `/${name}/out`, datatype: 'FP32' }));
  }

  run(inputs: readonly Tensor[]): Promise<readonly Tensor[]> {
    this.received.push(inputs);
    const outputs = (): Tensor[] => {
      const first = inputs[0] as Tensor;
      return this.layers.map((l, i) => ({ name: l.tensor, datatype: 'FP32', shape: [...first.shape], data: this.compute(i, first.data as Float32Array) }));
    };
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      return Promise.reject(error);
    }
    if (!this.gated) return Promise.resolve(outputs());
    return new Promise((resolve, reject) => this.pending.push({ inputs, resolve: () => resolve(outputs()), reject }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Records what an ActivationSink and a DriftSink are told. */
export class RecordingSink implements ActivationSink, DriftSink {
  readonly ready: { model: ModelLabels; layers: string[] }[] = [];
  readonly batches: { model: ModelLabels; layers: readonly LayerObservation[] }[] = [];
  readonly peaks: number[] = [];
  readonly driftScores: { layers: Map<string, number>; max: number }[] = [];
  readonly removedModels: ModelLabels[] = [];

  layersReady(model: ModelLabels, layers: readonly ObservedLayer[]): void {
    this.ready.push({ model, layers: layers.map((l) => l.name) });
  }
  observed(model: ModelLabels, layers: readonly LayerObservation[]): void {
    this.batches.push({ model, layers });
  }
  peakBytes(_model: ModelLabels, bytes: number): void {
    this.peaks.push(bytes);
  }
  scores(_model: ModelLabels, layers: ReadonlyMap<string, number>, max: number): void {
    this.driftScores.push({ layers: new Map(layers), max });
  }
  removed(model: ModelLabels): void {
    this.removedModels.push(model);
  }
}

/** A batch-start event of `rows` rows of 4 values: 0, 1, 2, ... */
export function batchStart(rows: number, model = 'm', version = '1'): BatchStartEvent {
  return { model, version, rows, inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 4], data: Float32Array.from({ length: rows * 4 }, (_, i) => i) }] };
}

/** Lets pending promise callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** An InferenceRunner that answers every run at once: each requested output is the first input × (its index + 1). */
export class ImmediateRunner implements InferenceRunner {
  readonly provider: ExecutionProvider = 'cpu';
  readonly instanceCount = 1;
  readonly inputs: readonly GraphTensor[] = [{ name: 'x', datatype: 'FP32', shape: ['batch', 4] }];
  readonly outputs: readonly GraphTensor[] = [{ name: 'y', datatype: 'FP32', shape: ['batch', 4] }];
  readonly requests: RunRequest[] = [];
  closed = false;

  idleInstances(): number {
    return 1;
  }
  async whenIdle(): Promise<void> {}
  async run(request: RunRequest): Promise<RunResult> {
    this.requests.push(request);
    const first = request.inputs[0] as Tensor;
    const outputs = request.outputNames.map((name, i): Tensor => ({
      name,
      datatype: 'FP32',
      shape: [...first.shape],
      data: (first.data as Float32Array).map((v) => v * (i + 1)),
    }));
    return { outputs, instance: 0, timings: { inputNs: 0, inferNs: 0, outputNs: 0 } };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A RunnerFactory handing out ImmediateRunners (or failing, when `failure` is set). */
export class FakeRunnerFactory implements RunnerFactory {
  readonly created: { options: RunnerOptions; runner: ImmediateRunner }[] = [];
  failure: unknown = undefined;

  async create(options: RunnerOptions): Promise<InferenceRunner> {
    if (this.failure !== undefined) throw this.failure;
    const runner = new ImmediateRunner();
    this.created.push({ options, runner });
    return runner;
  }
}
