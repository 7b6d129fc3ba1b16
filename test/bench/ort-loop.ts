/**
 * Raw onnxruntime throughput, in process, with no HTTP: the child the harness runs for each model
 * (raw-ort.ts). For each batch size: one instance alone (→ ms per run; the compute term of the
 * latency target), then, when instances > 1, all instances at once (→ the rows/s the server's
 * instances could reach together). Each figure is the median of `windows` windows of ≥ window-ms
 * and ≥ 2 runs; the windows are interleaved over the batch sizes (round 1 of every size, then
 * round 2, …) so a slow spell of this shared machine lands on all sizes alike instead of on one.
 * Prints one JSON line.
 *   node dist/test/bench/ort-loop.js --model F --row-dims 1024 --threads 1 --instances 2 \
 *     --batches 1,8,16,32,64 --windows 5 --window-ms 300
 */
import { Worker } from 'node:worker_threads';
import { argValue } from './argv.js';

export interface RawOrtRow {
  readonly batch: number;
  /** One instance alone. */
  readonly msPerRun: number;
  readonly rowsPerS1: number;
  /** All instances at once (equal to rowsPerS1 with one instance). */
  readonly rowsPerS: number;
}

const model = argValue('model');
const rowDims = argValue('row-dims').split(',').map(Number);
const threads = Number(argValue('threads'));
const instances = Number(argValue('instances'));
const batches = argValue('batches').split(',').map(Number);
const windows = Number(argValue('windows'));
const windowMs = Number(argValue('window-ms'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function next(worker: Worker, type: string): Promise<{ runs: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string; runs: number; ms: number }): void => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/** rows/s of `group` running `batch` at once over one window. */
async function windowOf(group: Worker[], batch: number): Promise<number> {
  await Promise.all(group.map((w) => (w.postMessage({ type: 'batch', batch }), next(w, 'ready'))));
  const results = await Promise.all(
    group.map((w) => (w.postMessage({ type: 'window', minMs: windowMs, minRuns: 2 }), next(w, 'window'))),
  );
  return results.reduce((sum, r) => sum + (r.runs * batch * 1000) / r.ms, 0);
}

const url = new URL('./ort-loop-worker.js', import.meta.url);
const workers = Array.from({ length: instances }, () => new Worker(url, { workerData: { model, threads, rowDims } }));
await Promise.all(workers.map((w) => next(w, 'loaded')));
const alone = new Map<number, number[]>(batches.map((b) => [b, []]));
const together = new Map<number, number[]>(batches.map((b) => [b, []]));
for (let i = 0; i < windows; i++) {
  for (const batch of batches) {
    alone.get(batch)!.push(await windowOf(workers.slice(0, 1), batch));
    if (instances > 1) together.get(batch)!.push(await windowOf(workers, batch));
  }
}
const rows: RawOrtRow[] = batches.map((batch) => {
  const rowsPerS1 = median(alone.get(batch)!);
  return { batch, msPerRun: (batch * 1000) / rowsPerS1, rowsPerS1, rowsPerS: instances > 1 ? median(together.get(batch)!) : rowsPerS1 };
});
process.stdout.write(`${JSON.stringify({ rows })}\n`);
await Promise.all(workers.map((w) => w.terminate()));
process.exit(0);
