import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile, type OnnxGraph } from '../../../../src/onnx/graph-reader.js';
import type { Sampler } from '../../../../src/observe/sampler.js';
import type { ExecutionProvider, InferenceRunner, ProfiledRun, ProfileTrace, RunRequest, RunResult } from '../../../../src/runtime/runner.js';
import { parseProfileTrace } from '../../../../src/runtime/worker/profile-trace.js';
import type { GraphTensor } from '../../../../src/types/model.js';
import type { Tensor } from '../../../../src/types/tensor.js';
import { FIXTURES_DIR, MODELS_DIR } from '../../../helpers/paths.js';

export type ShippedModel = 'digits-cnn' | 'digits-transformer' | 'breast-cancer-mlp';

/** The raw onnxruntime profile captured by test/fixtures/observe/capture-profiles.mjs. */
export function fixtureProfileJson(model: 'digits-cnn' | 'digits-transformer'): unknown {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'observe', `${model}.profile.json`), 'utf8'));
}

/** The fixture's measured run (its first run is the warm-up). */
export function fixtureRun(model: 'digits-cnn' | 'digits-transformer'): ProfiledRun {
  const run = parseProfileTrace(fixtureProfileJson(model), 1).runs[0];
  if (!run) throw new Error(`fixture ${model} has no measured run`);
  return run;
}

export function shippedGraph(model: ShippedModel): Promise<OnnxGraph> {
  return readModelFile(join(MODELS_DIR, model, '1', 'model.onnx'));
}

export const ALWAYS: Sampler = { shouldSample: () => true };

/** A batch of `rows` rows of width `width`, values 0, 1, 2, ... */
export function batch(rows: number, width = 4): Tensor[] {
  return [{ name: 'input', datatype: 'FP32', shape: [rows, width], data: Float32Array.from({ length: rows * width }, (_, i) => i) }];
}

export interface FakeProfilingRunnerOptions {
  /** Each run stays pending until release() (default: runs complete at once). */
  readonly gated?: boolean;
  /** The trace's forward pass for every run since the last endProfile (default: digits-cnn's). */
  readonly run?: ProfiledRun;
}

/**
 * A profiling InferenceRunner without onnxruntime: it records the inputs it is given, and
 * endProfile() returns one scripted forward pass per run since the previous endProfile().
 */
export class FakeProfilingRunner implements InferenceRunner {
  readonly provider: ExecutionProvider = 'cpu';
  readonly instanceCount = 1;
  readonly inputs: readonly GraphTensor[] = [{ name: 'input', datatype: 'FP32', shape: ['batch', 4] }];
  readonly outputs: readonly GraphTensor[] = [{ name: 'logits', datatype: 'FP32', shape: ['batch', 2] }];
  /** Inputs of every run, as received. */
  readonly received: (readonly Tensor[])[] = [];
  endProfileCalls = 0;
  closed = false;
  readonly #options: FakeProfilingRunnerOptions;
  readonly #gates: (() => void)[] = [];
  readonly #runFailures: unknown[] = [];
  readonly #endFailures: unknown[] = [];
  #runsInWindow = 0;

  constructor(options: FakeProfilingRunnerOptions = {}) {
    this.#options = options;
  }

  failNextRun(error: unknown): void {
    this.#runFailures.push(error);
  }

  failNextEndProfile(error: unknown): void {
    this.#endFailures.push(error);
  }

  /** Completes the oldest gated run. */
  release(): void {
    this.#gates.shift()?.();
  }

  idleInstances(): number {
    return this.#gates.length === 0 ? 1 : 0;
  }

  whenIdle(): Promise<void> {
    return Promise.resolve();
  }

  run(request: RunRequest): Promise<RunResult> {
    this.received.push(request.inputs);
    const failure = this.#runFailures.shift();
    const settle = (): Promise<RunResult> => {
      if (failure !== undefined) return Promise.reject(failure);
      this.#runsInWindow++;
      return Promise.resolve({ outputs: [], instance: 0, timings: { inputNs: 1, inferNs: 2, outputNs: 3 } });
    };
    if (!this.#options.gated) return settle();
    return new Promise<void>((resolve) => this.#gates.push(resolve)).then(settle);
  }

  endProfile(): Promise<ProfileTrace> {
    this.endProfileCalls++;
    const failure = this.#endFailures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    const run = this.#options.run ?? fixtureRun('digits-cnn');
    const runs = Array.from({ length: this.#runsInWindow }, () => run);
    this.#runsInWindow = 0;
    return Promise.resolve({ runs });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** Resolves once `check()` is true; fails the test after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
