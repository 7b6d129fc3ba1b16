import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FIXTURES_DIR } from '../../helpers/paths.js';
import type { RunnerOptions } from '../../../src/runtime/runner.js';

/** Tiny models made by test/fixtures/runtime/make-fixtures.mjs. */
export const RUNTIME_FIXTURES = join(FIXTURES_DIR, 'runtime');

/** A worker script that speaks the instance protocol and can be told to crash. */
export const CRASH_WORKER = pathToFileURL(join(RUNTIME_FIXTURES, 'crash-worker.mjs'));

/** Runner options for a fixture model; single-threaded and non-spinning unless overridden. */
export function fixtureOptions(model: string, overrides: Partial<RunnerOptions> = {}): RunnerOptions {
  return {
    modelName: model,
    modelVersion: '1',
    modelPath: join(RUNTIME_FIXTURES, `${model}.onnx`),
    instanceCount: 1,
    intraOpThreads: 1,
    interOpThreads: 1,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
    allowSpinning: false,
    ...overrides,
  };
}

/** Width of slow-matmul's input and output rows ([batch, SLOW_MATMUL_WIDTH]). */
export const SLOW_MATMUL_WIDTH = 512;
