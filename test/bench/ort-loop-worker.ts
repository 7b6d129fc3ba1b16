/**
 * One raw onnxruntime instance for ort-loop.ts, in a worker thread like a layerscope instance:
 * its own session with the server's session options, `await session.run(feeds)` in a loop on one
 * pre-built input tensor.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

interface Setup {
  readonly model: string;
  readonly threads: number;
  readonly rowDims: readonly number[];
}

type Command = { type: 'batch'; batch: number } | { type: 'window'; minMs: number; minRuns: number };

const setup = workerData as Setup;
const session = await ort.InferenceSession.create(setup.model, {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: setup.threads,
  interOpNumThreads: 1,
  extra: {
    session: {
      intra_op: { allow_spinning: '0' },
      inter_op: { allow_spinning: '0' },
    },
  },
});
const inputName = session.inputNames[0] as string;
const rowSize = setup.rowDims.reduce((a, b) => a * b, 1);
let feeds: Record<string, ort.Tensor> = {};

async function loop(minMs: number, minRuns: number): Promise<{ runs: number; ms: number }> {
  const start = performance.now();
  let runs = 0;
  while (runs < minRuns || performance.now() - start < minMs) {
    await session.run(feeds);
    runs++;
  }
  return { runs, ms: performance.now() - start };
}

/** Inputs per batch size, built once: the harness switches between batch sizes window by window. */
const built = new Map<number, Record<string, ort.Tensor>>();

parentPort?.on('message', (command: Command) => {
  void (async () => {
    if (command.type === 'batch') {
      const cached = built.get(command.batch);
      if (cached !== undefined) {
        feeds = cached;
        await loop(0, 1); // back to a batch size seen before: one run to settle the arena
      } else {
        const data = new Float32Array(command.batch * rowSize);
        for (let i = 0; i < data.length; i++) data[i] = Math.random() * 2 - 1;
        feeds = {
          [inputName]: new ort.Tensor('float32', data, [command.batch, ...setup.rowDims]),
        };
        built.set(command.batch, feeds);
        await loop(100, 3); // warm-up: ≥3 runs and ≥100 ms
      }
      parentPort?.postMessage({ type: 'ready' });
    } else {
      parentPort?.postMessage({
        type: 'window',
        ...(await loop(command.minMs, command.minRuns)),
      });
    }
  })();
});
parentPort?.postMessage({ type: 'loaded' });
