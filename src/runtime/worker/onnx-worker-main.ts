/**
 * Entry point of one model instance's worker thread (compiled to
 * dist/src/runtime/worker/onnx-worker-main.js). It owns one onnxruntime session, answers `run`
 * messages one at a time — the pool never sends a second run before the first is answered — and
 * exits on `close`. workerData is the instance's RunnerOptions.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { ServingError } from '../../errors/serving-error.js';
import { closeSession, createSession, runSession, type LoadedSession } from '../onnx/onnx-session.js';
import type { RunnerOptions } from '../runner.js';
import { prepareTransfer, toWireError, type WorkerReply, type WorkerRequest } from './wire.js';

function post(port: MessagePort, reply: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(reply, transfer);
}

async function handleRun(
  port: MessagePort,
  loaded: LoadedSession,
  options: RunnerOptions,
  request: Extract<WorkerRequest, { type: 'run' }>,
): Promise<void> {
  try {
    const result = await runSession(loaded.session, request.inputs, request.outputNames);
    // Outputs already own their buffers; transferring them makes the reply zero-copy.
    const { tensors, transfer } = prepareTransfer(result.outputs);
    post(port, { type: 'result', id: request.id, outputs: tensors, timings: result.timings }, transfer);
  } catch (error) {
    const wire = toWireError(
      error,
      (detail) => new ServingError('LS_ERR_RUNTIME_EXECUTION', { model: options.modelName, detail }),
    );
    post(port, { type: 'error', id: request.id, error: wire });
  }
}

async function main(port: MessagePort, options: RunnerOptions): Promise<void> {
  let loaded: LoadedSession;
  try {
    loaded = await createSession(options);
  } catch (error) {
    const wire = toWireError(
      error,
      (detail) => new ServingError('LS_ERR_MODEL_LOAD_FAILED', { model: options.modelName, detail }),
    );
    post(port, { type: 'failed', error: wire });
    port.close(); // nothing else keeps the thread alive: it exits
    return;
  }
  const { session, provider, warnings, inputs, outputs } = loaded;
  post(port, { type: 'ready', provider, warnings, inputs, outputs });
  port.on('message', (request: WorkerRequest) => {
    if (request.type === 'run') {
      void handleRun(port, loaded, options, request);
      return;
    }
    // Closing the port empties the event loop, so the thread exits even if release() failed.
    const exit = (): void => port.close();
    closeSession(session).then(exit, exit);
  });
}

if (parentPort === null) throw new Error('onnx-worker-main must run in a worker thread');
await main(parentPort, workerData as RunnerOptions);
