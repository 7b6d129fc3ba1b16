import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModel } from '../../onnx/graph-reader.js';
import { instrumentModel } from '../../onnx/instrument.js';
import type { ObserveConfig } from '../../repository/model-config.js';
import type { GraphOptimizationLevel, InferenceRunner, RunnerFactory } from '../../runtime/runner.js';
import type { DataType } from '../../types/datatype.js';
import type { GraphTensor } from '../../types/model.js';
import type { Tensor } from '../../types/tensor.js';
import { selectObservedLayers } from './observed-layers.js';
import { OBSERVER_NICENESS } from '../background.js';

/** A layer whose output tensor the instrumented copy returns. */
export interface ObservedLayer {
  readonly name: string;
  readonly tensor: string;
  /** Declared datatype of the tensor, when known. */
  readonly datatype: DataType | null;
}

export interface InstrumentedRunnerOptions {
  readonly model: string;
  readonly version: string;
  readonly modelPath: string;
  readonly observe: ObserveConfig;
  readonly runnerFactory: RunnerFactory;
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  readonly onWarning?: (message: string) => void;
}

/**
 * A second runner of a model version, over a copy of its graph that also outputs the observed
 * layers' tensors. One instance, one intra-op thread, CPU, no spinning: it competes as little as
 * possible with the serving instances (and takes no GPU memory). Ownership: run() takes the input
 * buffers (they are transferred to the worker); the returned tensors belong to the caller.
 */
export interface InstrumentedRunner {
  readonly layers: readonly ObservedLayer[];
  /** The model's graph inputs (what run() takes). */
  readonly inputs: readonly GraphTensor[];
  /** `observe.layers` patterns that matched nothing. */
  readonly unmatched: readonly string[];
  /** The layers' output tensors, in `layers` order. */
  run(inputs: readonly Tensor[]): Promise<readonly Tensor[]>;
  /** Closes the runner and deletes the instrumented file. Idempotent. */
  close(): Promise<void>;
}

/** Where the instrumented copy goes: a temp dir, or next to the original when it has external data. */
async function placeCopy(modelPath: string, external: boolean): Promise<{ path: string; remove: () => Promise<void> }> {
  if (external) {
    // External initializers are referenced relative to the model's own directory.
    const path = join(modelPath, '..', `.layerscope-activations-${process.pid}-${randomUUID()}.onnx`);
    return { path, remove: () => rm(path, { force: true }) };
  }
  const dir = await mkdtemp(join(tmpdir(), 'layerscope-activations-'));
  return { path: join(dir, 'model.onnx'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Reads the model, selects the observed layers (observed-layers.ts), writes the instrumented copy
 * and starts its runner. Returns null when the model has no observable layer.
 * @throws OnnxModelError for an unreadable model, or the runner factory's load error.
 */
export async function createInstrumentedRunner(options: InstrumentedRunnerOptions): Promise<InstrumentedRunner | null> {
  const bytes = new Uint8Array(await readFile(options.modelPath));
  const graph = readModel(bytes);
  const selection = selectObservedLayers(graph, options.observe);
  if (selection.layers.length === 0) return null;
  const layers = selection.layers.map((l) => ({ name: l.name, tensor: l.outputTensor, datatype: l.outputDatatype }));
  const outputNames = layers.map((l) => l.tensor);
  const copy = await placeCopy(options.modelPath, graph.initializers.some((i) => i.external));
  let runner: InferenceRunner;
  try {
    await writeFile(copy.path, instrumentModel(bytes, outputNames));
    runner = await options.runnerFactory.create(
      {
        modelName: options.model,
        modelVersion: options.version,
        modelPath: copy.path,
        instanceCount: 1,
        intraOpThreads: 1,
        interOpThreads: 1,
        graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
        executionProviders: ['cpu'],
        allowSpinning: false,
        niceness: OBSERVER_NICENESS,
      },
      options.onWarning,
    );
  } catch (err) {
    await copy.remove();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    layers,
    inputs: runner.inputs,
    unmatched: selection.unmatched,
    async run(inputs) {
      const result = await runner.run({ inputs, outputNames });
      return result.outputs;
    },
    close: () => (closed ??= runner.close().finally(() => copy.remove())),
  };
}
