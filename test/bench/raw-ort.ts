/**
 * Runs ort-loop.js in its own process (nothing else busy) and returns its table.
 */
import { fileURLToPath } from 'node:url';
import type { BenchModel } from './bench-models.js';
import type { RawOrtRow } from './ort-loop.js';
import { threadingFor, type BenchConfig } from './options.js';
import { track } from './processes.js';

export type { RawOrtRow };

/** Raw rows/s at `batches` (sorted, unique) with the server's instances and threads. */
export async function measureRawOrt(model: BenchModel, config: BenchConfig, batches: readonly number[]): Promise<RawOrtRow[]> {
  const { instances, threads } = threadingFor(config, model);
  const script = fileURLToPath(new URL('./ort-loop.js', import.meta.url));
  const args = [
    script,
    '--model',
    model.onnxPath,
    '--row-dims',
    model.rowDims.join(','),
    '--threads',
    String(threads),
    '--instances',
    String(instances),
    '--batches',
    [...new Set(batches)].sort((a, b) => a - b).join(','),
    '--windows',
    String(config.rawWindows),
    '--window-ms',
    String(config.rawWindowMs),
  ];
  const child = track(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const line = out.split('\n').find((l) => l.startsWith('{"rows"'));
  if (code !== 0 || line === undefined) throw new Error(`raw onnxruntime loop failed (${code}):\n${out}`);
  return (JSON.parse(line) as { rows: RawOrtRow[] }).rows;
}

/** The raw row measured at the average batch that formed (rounded), or the nearest one in log scale. */
export function rawAt(rows: readonly RawOrtRow[], averageBatch: number): RawOrtRow | undefined {
  let best: RawOrtRow | undefined;
  const target = Math.max(1, Math.round(averageBatch));
  for (const row of rows) {
    if (best === undefined || Math.abs(Math.log(row.batch / target)) < Math.abs(Math.log(best.batch / target))) best = row;
  }
  return best;
}
