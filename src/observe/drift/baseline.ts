/**
 * The activation baseline drift is measured against: per observed layer, bin edges from the
 * reference data's quantiles and the reference share of each bin, plus summary stats for people.
 * Stored as `<model>/<version>/baseline.json` (written by `layerscope baseline`), or learned in
 * memory from the first sampled batches when no file exists.
 *
 * ```json
 * { "format": "layerscope.baseline/v1", "model": "digits-cnn", "version": "1",
 *   "source": "golden/test-split.json", "rows": 450,
 *   "layers": { "block1": { "tensor": "/block1/relu/Relu_output_0", "count": 460800,
 *     "mean": 0.31, "std": 0.52, "min": 0, "max": 4.1, "zeroFraction": 0.47,
 *     "edges": [0, 0.052, …], "shares": [0.47, 0.053, …] } } }
 * ```
 * `edges` are the interior bin edges, ascending, as float32 values (shortest decimal); bins are
 * right-closed and open at both ends, so `shares` has `edges.length + 1` entries summing to 1.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { binShares, DEFAULT_BINS, quantileEdges } from './quantile-bins.js';
import type { ValueReservoir } from './sampling.js';

export const BASELINE_FORMAT = 'layerscope.baseline/v1';
export const BASELINE_FILE = 'baseline.json';

const layerSchema = z
  .strictObject({
    tensor: z.string(),
    count: z.number().int().min(0),
    mean: z.number(),
    std: z.number().min(0),
    min: z.number(),
    max: z.number(),
    zeroFraction: z.number().min(0).max(1),
    edges: z.array(z.number()).max(254),
    shares: z.array(z.number().min(0).max(1)),
  })
  .refine((l) => l.shares.length === l.edges.length + 1, { message: 'shares needs one entry more than edges' })
  .refine((l) => l.edges.every((e, i) => i === 0 || e > (l.edges[i - 1] as number)), { message: 'edges must be strictly ascending' });

const baselineSchema = z.strictObject({
  format: z.literal(BASELINE_FORMAT),
  model: z.string(),
  version: z.string(),
  source: z.string(),
  rows: z.number().int().min(0),
  layers: z.record(z.string(), layerSchema),
});

export type LayerBaseline = z.output<typeof layerSchema>;
export type Baseline = z.output<typeof baselineSchema>;

/** The shortest decimal that reads back as the same float32 (edges compare against float32 data). */
export function float32Decimal(value: number): number {
  const f = Math.fround(value);
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

function round(value: number, digits = 6): number {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)) : 0;
}

/**
 * Edges as compared at run time: float32 values, strictly ascending. Applied both when a
 * baseline is built and when one is read, so bin membership is the same in both places.
 */
export function runtimeEdges(edges: readonly number[]): Float64Array {
  const out: number[] = [];
  for (const e of edges) {
    const f = Math.fround(e);
    if (out.length === 0 || f > (out[out.length - 1] as number)) out.push(f);
  }
  return Float64Array.from(out);
}

/** A layer's baseline from a sample of its (finite) values. */
export function buildLayerBaseline(tensor: string, reservoir: ValueReservoir, bins = DEFAULT_BINS): LayerBaseline {
  const sorted = reservoir.sorted();
  const edges = [...runtimeEdges(quantileEdges(sorted, bins).map(float32Decimal))].map(float32Decimal);
  const shares = binShares(runtimeEdges(edges), sorted).map((s) => round(s));
  const stats = reservoir.stats();
  return {
    tensor,
    count: stats.count,
    mean: round(stats.mean),
    std: round(stats.std),
    min: round(stats.min),
    max: round(stats.max),
    zeroFraction: round(stats.zeroFraction),
    edges,
    shares,
  };
}

/** Parses baseline.json text; throws an Error naming every problem. */
export function parseBaseline(text: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`baseline is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = baselineSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid baseline: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
  return parsed.data;
}

/** baseline.json text: two-space JSON, arrays of numbers kept on one line. */
export function serializeBaseline(baseline: Baseline): string {
  const text = JSON.stringify(baseline, null, 2);
  return `${text.replace(/\[\s+([^\][{}]*?)\s+\]/g, (_m, body: string) => `[${body.split(/,\s+/).join(', ')}]`)}\n`;
}

/** Reads a stored baseline; null when the file does not exist. Throws for an invalid one. */
export async function readBaselineFile(path: string): Promise<Baseline | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseBaseline(text);
}
