/**
 * The targets issue 3 sets, evaluated on this run's cells and printed as PASS/MISS (never asserted).
 */
import type { CellSummary, CellTable } from './cells.js';
import { ENCODINGS, type BenchConfig } from './options.js';
import { rawAt, type RawOrtRow } from './raw-ort.js';
import { fmtMs, fmtRate, fmtRatio, formedBatch, ratio, table, type Targets } from './report.js';

/** The concurrency a target is read at: `want` if measured, else the largest measured. */
function at(concurrencies: readonly number[], want: number): number | undefined {
  return concurrencies.includes(want) ? want : concurrencies.length > 0 ? Math.max(...concurrencies) : undefined;
}

/**
 * Where a c=1 request's time goes by the server's own stats (means over the cell's requests):
 * session.run as the server timed it, next to the raw loop's compute, and the rest of its time in
 * the server (validation, queue, the worker round trip).
 */
function whereItGoes(ls: CellSummary, rawComputeMs: number): string {
  if (ls.inServerMs === undefined || ls.onnxruntimeMs === undefined) return '';
  return (
    `; by the server's stats (means): session.run ${fmtMs(ls.onnxruntimeMs)} ms (raw loop ${fmtMs(rawComputeMs)} ms), ` +
    `the rest of its ${fmtMs(ls.inServerMs)} ms in the server ${fmtMs(ls.inServerMs - ls.onnxruntimeMs)} ms`
  );
}

export function evaluateTargets(targets: Targets, cells: CellTable, raws: ReadonlyMap<string, RawOrtRow[]>, config: BenchConfig): void {
  // Compute-bound model: served rows/s ≥ 0.8× raw ORT at the formed batch size, ≥ 5× naive.
  const mlpRaw = raws.get('mlp') ?? [];
  const cMlp = at(config.mlpConcurrency, 64);
  for (const e of ENCODINGS) {
    if (cMlp === undefined) break;
    const ls = cells.get('mlp', 'ls-batch', e, cMlp);
    if (ls === undefined) continue;
    const batch = formedBatch(ls, 'ls-batch');
    const raw = batch === undefined ? undefined : rawAt(mlpRaw, batch);
    const r = ratio(ls.rowsPerS, raw?.rowsPerS);
    targets.add(
      r === undefined ? undefined : r >= 0.8,
      `mlp ${e} c=${cMlp}: served ${fmtRate(ls.rowsPerS)} rows/s ÷ raw ORT ${fmtRate(raw?.rowsPerS)} rows/s at batch ${raw?.batch ?? '?'} (formed ${batch?.toFixed(1) ?? '?'}) = ${fmtRatio(r)} (target ≥ 0.8×)`,
    );
    const naive = [cells.get('mlp', 'naive-t1', e, cMlp), cells.get('mlp', 'naive-tdef', e, cMlp)].filter((s) => s !== undefined);
    const best = naive.length === 0 ? undefined : Math.max(...naive.map((s) => s.rowsPerS));
    const n = ratio(ls.rowsPerS, best);
    targets.add(
      n === undefined ? undefined : n >= 5,
      `mlp ${e} c=${cMlp}: served ÷ best naive server ${fmtRate(best)} rows/s = ${fmtRatio(n)} (target ≥ 5×)`,
    );
  }
  // Small model: req/s at c=64 ≥ 0.9× the bare-HTTP ceiling for the same body.
  const cSmall = at(config.concurrency, 64);
  for (const e of ENCODINGS) {
    if (cSmall === undefined) break;
    const ls = cells.get('digits-cnn', 'ls-batch', e, cSmall);
    const bare = cells.get('digits-cnn', 'bare', e, cSmall);
    if (ls === undefined || bare === undefined) continue;
    const r = ratio(ls.reqPerS, bare.reqPerS);
    targets.add(
      r === undefined ? undefined : r >= 0.9,
      `digits-cnn ${e} c=${cSmall}: ${fmtRate(ls.reqPerS)} req/s ÷ ceiling ${fmtRate(bare.reqPerS)} req/s = ${fmtRatio(r)} (target ≥ 0.9×)`,
    );
  }
  // c=1: layerscope p50 ≤ ceiling p50 + compute (raw ORT ms/run at batch 1) + 0.3 ms.
  for (const [section, concurrencies] of [
    ['digits-cnn', config.concurrency],
    ['mlp', config.mlpConcurrency],
  ] as const) {
    if (!concurrencies.includes(1)) continue;
    const compute = (raws.get(section) ?? []).find((r) => r.batch === 1)?.msPerRun;
    for (const e of ENCODINGS) {
      const ls = cells.get(section, 'ls-batch', e, 1);
      const bare = cells.get(section, 'bare', e, 1);
      if (ls === undefined || bare === undefined || compute === undefined) continue;
      const added = ls.p50Ms - bare.p50Ms - compute;
      // The naive server pays the same request-driven compute (no tight loop), without workers or batching.
      const naive = cells.get(section, 'naive-t1', e, 1);
      const vsNaive =
        naive === undefined
          ? ''
          : `; vs naive-t1 p50 ${fmtMs(naive.p50Ms)} ms: ${ls.p50Ms - naive.p50Ms >= 0 ? '+' : ''}${(ls.p50Ms - naive.p50Ms).toFixed(3)} ms`;
      targets.add(
        added <= 0.3,
        `${section} ${e} c=1: p50 ${fmtMs(ls.p50Ms)} ms − ceiling ${fmtMs(bare.p50Ms)} ms − compute ${fmtMs(compute)} ms = ${added.toFixed(3)} ms added (target ≤ 0.3 ms)${vsNaive}${whereItGoes(ls, compute)}`,
      );
    }
  }
  // Large body: binary ≥ 10× JSON for a 1×3×224×224 FP32 tensor through layerscope.
  const cLarge = at(config.largeConcurrency, 1);
  const bin = cLarge === undefined ? undefined : cells.get('large', 'ls-batch', 'binary', cLarge);
  const json = cLarge === undefined ? undefined : cells.get('large', 'ls-batch', 'json', cLarge);
  if (bin !== undefined && json !== undefined) {
    const r = ratio(bin.reqPerS, json.reqPerS);
    targets.add(
      r === undefined ? undefined : r >= 10,
      `large body 1×3×224×224 c=${cLarge}: binary ${fmtRate(bin.reqPerS)} req/s ÷ JSON ${fmtRate(json.reqPerS)} req/s = ${fmtRatio(r)} (target ≥ 10×)`,
    );
  }
}

/** The large-body comparison: binary ÷ JSON per server and concurrency. */
export function largeRatios(cells: CellTable, concurrencies: readonly number[]): string {
  const rows: string[][] = [];
  for (const v of ['ls-batch', 'bare'] as const) {
    for (const c of concurrencies) {
      const bin = cells.get('large', v, 'binary', c);
      const json = cells.get('large', v, 'json', c);
      if (bin === undefined || json === undefined) continue;
      rows.push([
        v,
        String(c),
        fmtRate(json.reqPerS),
        fmtRate(bin.reqPerS),
        fmtMs(json.p50Ms),
        fmtMs(bin.p50Ms),
        fmtRatio(ratio(bin.reqPerS, json.reqPerS)),
      ]);
    }
  }
  return `Large body (1×3×224×224 FP32 through layerscope and the ceiling), binary ÷ JSON:\n${table(
    ['server', 'c', 'JSON req/s', 'binary req/s', 'JSON p50 ms', 'binary p50 ms', 'binary ÷ JSON'],
    rows,
    1,
  )}`;
}
