/**
 * One measured cell (model × variant × encoding × concurrency) and how repeated rounds combine.
 */
import type { Encoding, VariantKey } from './options.js';
import type { WrkResult } from './wrk.js';

export interface CellRound {
  readonly wrk: WrkResult;
  /** Server CPU during the measurement, in cores (NaN if unknown). */
  readonly cpuCores: number;
  /** wrk's CPU, and everything else on the machine (other sessions, the kernel, steal), in cores. */
  readonly wrkCores: number;
  readonly otherCores: number;
  /** Rows and executions the server ran during the measurement (layerscope only). */
  readonly batch?: { readonly rows: number; readonly executions: number };
  /** Successful requests during the measurement and their summed time in the server and in session.run (layerscope with /stats). */
  readonly server?: { readonly requests: number; readonly inServerNs: number; readonly inferNs: number };
}

export interface Cell {
  readonly section: string;
  readonly variant: VariantKey;
  readonly encoding: Encoding;
  readonly concurrency: number;
  readonly rowsPerRequest: number;
  readonly rounds: CellRound[];
}

export interface CellSummary {
  readonly reqPerS: number;
  readonly rowsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuCores: number;
  readonly wrkCores: number;
  readonly otherCores: number;
  readonly errors: number;
  /** Rows per execution over all rounds; undefined when the server does not say. */
  readonly avgBatch?: number;
  /**
   * Mean ms per request over all rounds, as the server measures them: from the request's infer()
   * to its outputs in hand (validation, queue, worker round trip, session.run), and session.run
   * alone (each request of a batch counts its batch's run). Undefined when the server does not say.
   */
  readonly inServerMs?: number;
  readonly onnxruntimeMs?: number;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Medians over rounds; the average batch pools all rounds. */
export function summarize(cell: Cell): CellSummary {
  const reqPerS = median(cell.rounds.map((r) => r.wrk.reqPerS));
  let rows = 0;
  let executions = 0;
  let requests = 0;
  let inServerNs = 0;
  let inferNs = 0;
  for (const r of cell.rounds) {
    if (r.server !== undefined) {
      requests += r.server.requests;
      inServerNs += r.server.inServerNs;
      inferNs += r.server.inferNs;
    }
    if (r.batch === undefined) continue;
    rows += r.batch.rows;
    executions += r.batch.executions;
  }
  const summary = {
    reqPerS,
    rowsPerS: reqPerS * cell.rowsPerRequest,
    p50Ms: median(cell.rounds.map((r) => r.wrk.p50Ms)),
    p99Ms: median(cell.rounds.map((r) => r.wrk.p99Ms)),
    cpuCores: median(cell.rounds.map((r) => r.cpuCores)),
    wrkCores: median(cell.rounds.map((r) => r.wrkCores)),
    otherCores: median(cell.rounds.map((r) => r.otherCores)),
    errors: cell.rounds.reduce((sum, r) => sum + r.wrk.errors, 0),
  };
  return {
    ...summary,
    ...(executions > 0 ? { avgBatch: rows / executions } : {}),
    ...(requests > 0 ? { inServerMs: inServerNs / requests / 1e6, onnxruntimeMs: inferNs / requests / 1e6 } : {}),
  };
}

/** Looks cells up by their coordinates. */
export class CellTable {
  readonly #cells = new Map<string, Cell>();

  static key(section: string, variant: string, encoding: string, concurrency: number): string {
    return `${section}|${variant}|${encoding}|${concurrency}`;
  }

  cell(section: string, variant: VariantKey, encoding: Encoding, concurrency: number, rowsPerRequest: number): Cell {
    const key = CellTable.key(section, variant, encoding, concurrency);
    let cell = this.#cells.get(key);
    if (cell === undefined) {
      cell = {
        section,
        variant,
        encoding,
        concurrency,
        rowsPerRequest,
        rounds: [],
      };
      this.#cells.set(key, cell);
    }
    return cell;
  }

  get(section: string, variant: VariantKey, encoding: Encoding, concurrency: number): CellSummary | undefined {
    const cell = this.#cells.get(CellTable.key(section, variant, encoding, concurrency));
    return cell === undefined || cell.rounds.length === 0 ? undefined : summarize(cell);
  }

  all(section: string): Cell[] {
    return [...this.#cells.values()].filter((c) => c.section === section && c.rounds.length > 0);
  }
}
