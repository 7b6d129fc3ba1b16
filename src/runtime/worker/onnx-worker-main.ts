/**
 * Entry point of one model instance's worker thread (compiled to
 * dist/src/runtime/worker/onnx-worker-main.js). It owns one onnxruntime session, answers `run`
 * messages one at a time — the pool never sends a second request before the first is answered —
 * and exits on `close`. workerData is the instance's RunnerOptions.
 *
 * With `options.profiling` the session profiles every run. onnxruntime's profiling cannot be
 * restarted on a session, so `end-profile` ends the window, reads the trace (off the main thread),
 * and replaces the session with a fresh profiling one. A fresh session's first run is cold (arena
 * growth, first touch of the weights): it runs twice and the first, warm-up run is left out.
 */
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { ServingError } from '../../errors/serving-error.js';
import { closeSession, createSession, endSessionProfiling, runSession, type LoadedSession } from '../onnx/onnx-session.js';
import type { ProfileTrace, RunnerOptions } from '../runner.js';
import { takeProfileTrace } from './profile-trace.js';
import { prepareTransfer, toWireError, type WorkerReply, type WorkerRequest } from './wire.js';

/** The session in use; for a profiling instance, also its profile window. */
interface Current {
  readonly loaded: LoadedSession;
  /** Profile file prefix of this session; undefined when the runner does not profile. */
  readonly profilePrefix: string | undefined;
  /** Runs profiled so far (measured runs, then warm-up runs). */
  runs: number;
  warmups: number;
}

let sessions = 0;

async function openSession(options: RunnerOptions): Promise<Current> {
  const dir = options.profiling?.dir;
  const profilePrefix = dir === undefined ? undefined : join(dir, `profile-${threadId}-${++sessions}`);
  return { loaded: await createSession(options, profilePrefix), profilePrefix, runs: 0, warmups: 0 };
}

function post(port: MessagePort, reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

function executionError(options: RunnerOptions): (detail: string) => ServingError {
  return (detail) => new ServingError('LS_ERR_RUNTIME_EXECUTION', { model: options.modelName, detail });
}

async function handleRun(
  port: MessagePort,
  current: Current,
  options: RunnerOptions,
  request: Extract<WorkerRequest, { type: 'run' }>,
): Promise<void> {
  try {
    const { session } = current.loaded;
    if (current.profilePrefix !== undefined && current.runs + current.warmups === 0) {
      current.warmups++;
      await runSession(session, request.inputs, request.outputNames);
    }
    const result = await runSession(session, request.inputs, request.outputNames);
    current.runs++;
    // Outputs already own their buffers; transferring them makes the reply zero-copy.
    const { tensors, transfer } = prepareTransfer(result.outputs);
    post(port, { type: 'result', id: request.id, outputs: tensors, timings: result.timings }, transfer);
  } catch (error) {
    post(port, { type: 'error', id: request.id, error: toWireError(error, executionError(options)) });
  }
}

/**
 * Ends the window: the trace of `current` (empty when nothing ran), and the session that profiles
 * the next window. When no new session can be created the request fails and the thread exits, so
 * the pool restarts the instance.
 */
async function endProfile(current: Current, options: RunnerOptions): Promise<{ trace: ProfileTrace; next: Current }> {
  const prefix = current.profilePrefix;
  if (prefix === undefined) throw new Error(`model '${options.modelName}' was not started with profiling`);
  if (current.runs + current.warmups === 0) return { trace: { runs: [] }, next: current };
  endSessionProfiling(current.loaded.session);
  const trace = await takeProfileTrace(prefix, current.warmups);
  await closeSession(current.loaded.session).catch(() => undefined);
  return { trace, next: await openSession(options) };
}

/** Ends a profiling session's profile and deletes its file (the instance is closing). */
async function discardProfile(current: Current): Promise<void> {
  if (current.profilePrefix === undefined) return;
  endSessionProfiling(current.loaded.session);
  await takeProfileTrace(current.profilePrefix, 0);
}

/**
 * Sets this thread's nice value before the session exists, so onnxruntime's pool threads inherit
 * it. Linux keeps nice values per thread: pid 0 is the calling thread, the event loop is untouched.
 */
function lowerPriority(niceness: number | undefined): void {
  // Elsewhere (macOS, Windows) the call would lower the whole process, event loop included.
  if (niceness === undefined || niceness <= 0 || process.platform !== 'linux') return;
  try {
    setPriority(0, Math.min(19, niceness));
  } catch {
    // Not permitted or not supported here: the instance keeps the normal priority.
  }
}

async function main(port: MessagePort, options: RunnerOptions): Promise<void> {
  lowerPriority(options.niceness);
  let current: Current;
  try {
    current = await openSession(options);
  } catch (error) {
    const wire = toWireError(
      error,
      (detail) => new ServingError('LS_ERR_MODEL_LOAD_FAILED', { model: options.modelName, detail }),
    );
    post(port, { type: 'failed', error: wire });
    port.close(); // nothing else keeps the thread alive: it exits
    return;
  }
  const { provider, warnings, inputs, outputs } = current.loaded;
  post(port, { type: 'ready', provider, warnings, inputs, outputs });
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'run') {
      void handleRun(port, current, options, request);
      return;
    }
    if (request.type === 'end-profile') {
      const ended = current;
      endProfile(ended, options).then(
        ({ trace, next }) => {
          current = next;
          post(port, { type: 'profile', id: request.id, trace });
        },
        (error: unknown) => {
          post(port, { type: 'error', id: request.id, error: toWireError(error, executionError(options)) });
          // A session whose profile ended cannot profile again: let the pool start a new instance.
          if (ended.runs + ended.warmups > 0) port.close();
        },
      );
      return;
    }
    // Closing the port empties the event loop, so the thread exits even if release() failed.
    const exit = (): void => port.close();
    const session = current.loaded.session;
    discardProfile(current)
      .catch(() => undefined)
      .then(() => closeSession(session))
      .then(exit, exit);
  });
}

if (parentPort === null) throw new Error('onnx-worker-main must run in a worker thread');
await main(parentPort, workerData as RunnerOptions);
