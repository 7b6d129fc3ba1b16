/**
 * The one module that talks to onnxruntime-node (DESIGN.md §2). It runs inside an instance's
 * worker thread: `session.run()` is synchronous on the calling thread, so calling it on the main
 * thread would stall HTTP and timers for the whole forward pass (measurements.md §1).
 */
import ort from 'onnxruntime-node';
import { ServingError } from '../../errors/serving-error.js';
import { datatypeFromOrt, datatypeToOrt, type DataType, type NumericArray } from '../../types/datatype.js';
import type { GraphTensor } from '../../types/model.js';
import type { Tensor, TensorData } from '../../types/tensor.js';
import type { ExecutionProvider, RunnerOptions, RunTimings } from '../runner.js';

/** A loaded session and what the runner reports about it. */
export interface LoadedSession {
  readonly session: ort.InferenceSession;
  /** The provider actually in use, after any fallback. */
  readonly provider: ExecutionProvider;
  /** One message per provider that failed before `provider` loaded. */
  readonly warnings: readonly string[];
  readonly inputs: readonly GraphTensor[];
  readonly outputs: readonly GraphTensor[];
}

export interface SessionRunResult {
  /** In the order of the requested output names; every buffer is standalone (transferable). */
  readonly outputs: Tensor[];
  readonly timings: RunTimings;
}

/** Our provider names → onnxruntime-node's execution provider names. */
const ORT_PROVIDER: Readonly<Record<ExecutionProvider, string>> = Object.freeze({ cuda: 'cuda', cpu: 'cpu' });

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Session options shared by every provider attempt. */
function baseSessionOptions(options: RunnerOptions, profileFilePrefix: string | undefined): ort.InferenceSession.SessionOptions {
  const session: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.graphOptimizationLevel,
    // onnxruntime writes `<prefix>_<date>_<time>.json` when profiling ends (endSessionProfiling).
    ...(profileFilePrefix !== undefined ? { enableProfiling: true, profileFilePrefix } : {}),
    // 0 means "let onnxruntime decide", which is what leaving the option out does.
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.interOpThreads > 0 ? { interOpNumThreads: options.interOpThreads } : {}),
  };
  if (options.allowSpinning) return session;
  // Spinning pools burn the cores the event loop and the other instances need (measurements.md §1).
  // The Node binding flattens `extra` into session config entries: session.intra_op.allow_spinning.
  return {
    ...session,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/**
 * Creates a session, trying `options.executionProviders` in order. A provider whose session
 * cannot be created (no CUDA libraries, no GPU) falls back to the next one with a warning; the
 * last provider's error is thrown as is (a corrupt model fails with onnxruntime's own message).
 * With `profileFilePrefix` the session profiles every run until endSessionProfiling().
 */
export async function createSession(options: RunnerOptions, profileFilePrefix?: string): Promise<LoadedSession> {
  const providers: readonly ExecutionProvider[] =
    options.executionProviders.length > 0 ? options.executionProviders : ['cpu'];
  const base = baseSessionOptions(options, profileFilePrefix);
  const failures: string[] = [];
  for (const [index, provider] of providers.entries()) {
    try {
      const session = await ort.InferenceSession.create(options.modelPath, {
        ...base,
        executionProviders: [ORT_PROVIDER[provider]],
      });
      const warnings = failures.map((failure) => `${failure}; using execution provider '${provider}'`);
      return {
        session,
        provider,
        warnings,
        inputs: session.inputMetadata.map((m) => graphTensor(m, 'input')),
        outputs: session.outputMetadata.map((m) => graphTensor(m, 'output')),
      };
    } catch (error) {
      if (index === providers.length - 1) throw error;
      failures.push(`execution provider '${provider}' failed to load model '${options.modelName}': ${errorText(error)}`);
    }
  }
  throw new Error('no execution provider to try'); // unreachable: providers is never empty
}

function graphTensor(meta: ort.InferenceSession.ValueMetadata, role: 'input' | 'output'): GraphTensor {
  if (!meta.isTensor) {
    throw new Error(`${role} '${meta.name}' is not a tensor (sequence or map values cannot be served)`);
  }
  const datatype = datatypeFromOrt(meta.type);
  if (datatype === undefined) throw new Error(`${role} '${meta.name}' has unsupported type '${meta.type}'`);
  return { name: meta.name, datatype, shape: [...meta.shape] };
}

/**
 * Ends a profiling session's profile: onnxruntime writes the trace file (named after the session's
 * profileFilePrefix) before this returns, and records nothing more for this session. The Node
 * binding does not return the file name; the caller finds it by its prefix.
 */
export function endSessionProfiling(session: ort.InferenceSession): void {
  session.endProfiling();
}

/** Releases the native session; the worker calls it before exiting. */
export async function closeSession(session: ort.InferenceSession): Promise<void> {
  await session.release();
}

/**
 * Runs one batch. Ownership: `inputs` are wrapped without copying (onnxruntime reads them in place);
 * outputs are copied out of onnxruntime's tensors into buffers of their own so they can be
 * transferred to another thread. Throws ServingError LS_ERR_RUNTIME_UNSUPPORTED_TYPE for BF16 and
 * onnxruntime's own Error for anything the session rejects.
 */
export async function runSession(
  session: ort.InferenceSession,
  inputs: readonly Tensor[],
  outputNames: readonly string[],
): Promise<SessionRunResult> {
  const t0 = process.hrtime.bigint();
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) feeds[input.name] = toOrtTensor(input);
  const t1 = process.hrtime.bigint();
  const results = await session.run(feeds, outputNames as string[]);
  const t2 = process.hrtime.bigint();
  const outputs = outputNames.map((name) => fromOrtValue(name, results[name]));
  const t3 = process.hrtime.bigint();
  return {
    outputs,
    timings: { inputNs: Number(t1 - t0), inferNs: Number(t2 - t1), outputNs: Number(t3 - t2) },
  };
}

function toOrtTensor(tensor: Tensor): ort.Tensor {
  const { name, datatype, shape, data } = tensor;
  if (datatype === 'BF16') throw new ServingError('LS_ERR_RUNTIME_UNSUPPORTED_TYPE', { datatype, tensor: name });
  if (datatype === 'BYTES') {
    if (!Array.isArray(data)) throw new TypeError(`tensor '${name}': BYTES data must be an array of byte strings`);
    return new ort.Tensor('string', data.map((item) => utf8Decoder.decode(item)), shape);
  }
  if (Array.isArray(data)) throw new TypeError(`tensor '${name}': ${datatype} data must be a typed array`);
  // BOOL travels as Uint8Array and FP16 as Uint16Array words: exactly what 'bool'/'float16' take.
  return new ort.Tensor(datatypeToOrt(datatype) as ort.Tensor.Type, data as NumericArray, shape);
}

function fromOrtValue(name: string, value: ort.OnnxValue | undefined): Tensor {
  if (value === undefined) throw new Error(`onnxruntime returned no value for output '${name}'`);
  const datatype = datatypeFromOrt(value.type);
  if (datatype === undefined || datatype === 'BF16') {
    throw new ServingError('LS_ERR_RUNTIME_UNSUPPORTED_TYPE', { datatype: value.type, tensor: name });
  }
  const shape = Array.from(value.dims);
  return { name, datatype, shape, data: copyOutputData(datatype, value.data) };
}

/** Copies output data into standalone buffers: onnxruntime may own the memory behind `data`. */
function copyOutputData(datatype: DataType, data: unknown): TensorData {
  if (datatype === 'BYTES') return (data as readonly string[]).map((s) => utf8Encoder.encode(s));
  const view = data as ArrayBufferView;
  if (datatype === 'FP16' && !(view instanceof Uint16Array)) {
    // Runtimes with a global Float16Array hand float16 out as one; the protocol wants raw words.
    return new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2).slice();
  }
  return (view as NumericArray).slice();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
