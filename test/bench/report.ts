/**
 * Printing: the results table per model, the ratio tables (all ratios within one run), the raw
 * onnxruntime table, and PASS/MISS lines for the issue's targets. Nothing here asserts.
 */
import type { CellSummary, CellTable } from './cells.js';
import { ENCODINGS, VARIANTS, type Encoding, type VariantKey } from './options.js';
import { rawAt, type RawOrtRow } from './raw-ort.js';

export function fmtRate(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return value >= 100 ? Math.round(value).toString() : value.toFixed(1);
}

export function fmtMs(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  return value < 1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** Other load above this many cores marks a cell as measured on a busy machine. */
export const BUSY = 0.25;

function cores(value: number): string {
  return Number.isNaN(value) ? '–' : Math.max(0, value).toFixed(2);
}

export function fmtRatio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)}×`;
}

/** A markdown table with right-aligned columns except the first `left`. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i < left ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < left ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** The results of one model: every cell, grouped by encoding, then concurrency. */
export function resultsTable(cells: CellTable, section: string, concurrencies: readonly number[]): string {
  const rows: string[][] = [];
  for (const encoding of ENCODINGS) {
    for (const c of concurrencies) {
      for (const variant of VARIANTS) {
        const s = cells.get(section, variant, encoding, c);
        if (s === undefined) continue;
        rows.push([
          encoding,
          String(c),
          variant,
          fmtRate(s.reqPerS),
          fmtRate(s.rowsPerS),
          fmtMs(s.p50Ms),
          fmtMs(s.p99Ms),
          cores(s.cpuCores),
          Number.isNaN(s.cpuCores) || s.reqPerS === 0 ? '–' : ((s.cpuCores * 1e6) / s.reqPerS).toFixed(0),
          cores(s.wrkCores),
          cores(s.otherCores),
          s.avgBatch === undefined ? '' : s.avgBatch.toFixed(1),
          s.errors === 0 ? '0' : `${s.errors} !`,
          s.otherCores > BUSY ? 'busy' : '',
        ]);
      }
    }
  }
  return table(
    [
      'body',
      'c',
      'server',
      'req/s',
      'rows/s',
      'p50 ms',
      'p99 ms',
      'srv CPU',
      'srv µs/req',
      'wrk CPU',
      'other CPU',
      'avg batch',
      'errors',
      'note',
    ],
    rows,
    3,
  );
}

export function rawTable(rows: readonly RawOrtRow[], instances: number, threads: number): string {
  const headers = [
    'batch',
    'ms/run (1 instance)',
    'rows/s (1 instance)',
    `rows/s (${instances} instance${instances > 1 ? 's' : ''} at once)`,
  ];
  return (
    table(
      headers,
      rows.map((r) => [String(r.batch), fmtMs(r.msPerRun), fmtRate(r.rowsPerS1), fmtRate(r.rowsPerS)]),
    ) + `\n(intraOpNumThreads ${threads}, interOpNumThreads 1, no spinning, graph optimization 'all': layerscope's session options)`
  );
}

/** The average batch that formed: measured, or 1 by definition without dynamic batching. */
export function formedBatch(s: CellSummary, variant: VariantKey): number | undefined {
  return s.avgBatch ?? (variant === 'ls-nobatch' ? 1 : undefined);
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

/** Ratios between cells of the same run, per encoding, one column per concurrency. */
export function ratioTable(cells: CellTable, section: string, concurrencies: readonly number[], raw?: readonly RawOrtRow[]): string {
  const rows: string[][] = [];
  const req = (v: VariantKey, e: Encoding, c: number): number | undefined => cells.get(section, v, e, c)?.reqPerS;
  const pair = (label: string, a: VariantKey, b: VariantKey, e: Encoding): void => {
    const row = [label, ...concurrencies.map((c) => fmtRatio(ratio(req(a, e, c), req(b, e, c))))];
    if (row.slice(1).some((x) => x !== '–')) rows.push(row);
  };
  for (const e of ENCODINGS) {
    pair(`${e}: ls-batch ÷ bare ceiling (req/s)`, 'ls-batch', 'bare', e);
    pair(`${e}: ls-nobatch ÷ bare ceiling`, 'ls-nobatch', 'bare', e);
    pair(`${e}: ls-batch ÷ naive-t1`, 'ls-batch', 'naive-t1', e);
    pair(`${e}: ls-batch ÷ naive-tdef`, 'ls-batch', 'naive-tdef', e);
    pair(`${e}: ls-batch ÷ ls-nobatch`, 'ls-batch', 'ls-nobatch', e);
    for (const v of ['ls-batch', 'ls-nobatch'] as const) {
      if (raw === undefined) break;
      const row = [
        `${e}: ${v} rows/s ÷ raw ORT at formed batch`,
        ...concurrencies.map((c) => {
          const s = cells.get(section, v, e, c);
          const batch = s === undefined ? undefined : formedBatch(s, v);
          if (s === undefined) return '–';
          if (batch === undefined) return 'batch unknown';
          const r = rawAt(raw, batch);
          return `${fmtRatio(ratio(s.rowsPerS, r?.rowsPerS))} (b=${r?.batch})`;
        }),
      ];
      if (row.slice(1).some((x) => x !== '–')) rows.push(row);
    }
  }
  for (const v of VARIANTS) {
    const row = [`binary ÷ json: ${v}`, ...concurrencies.map((c) => fmtRatio(ratio(req(v, 'binary', c), req(v, 'json', c))))];
    if (row.slice(1).some((x) => x !== '–')) rows.push(row);
  }
  return table(['ratio', ...concurrencies.map((c) => `c=${c}`)], rows);
}

/** PASS/MISS lines: reported, never asserted. */
export class Targets {
  readonly #lines: string[] = [];

  add(pass: boolean | undefined, text: string): void {
    this.#lines.push(`${pass === undefined ? 'n/a ' : pass ? 'PASS' : 'MISS'}  ${text}`);
  }

  print(): string {
    return this.#lines.join('\n');
  }
}
