/**
 * `npm run bench`: layerscope's load benchmarks (DESIGN.md §2 test/bench; STYLE.md "Benchmarks").
 * Builds throw-away model repositories, starts each server variant in its own process, loads it
 * with wrk (-t1, a separate process) at each concurrency with JSON and binary bodies, and prints
 * throughput and latency tables, ratios between servers measured in the same run, the raw
 * onnxruntime table, and PASS/MISS lines for the targets of issue 3. It asserts nothing: a
 * benchmark is not a test. Results go to stdout, progress to stderr.
 *
 *   npm run bench                         # full run (~9 min on 2 cores)
 *   npm run bench -- --quick              # 2 s cells
 *   npm run bench -- --only digits-cnn,binary --duration 10
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digitsCnn, writeImageMean, writeMlp, type BenchModel } from './bench-models.js';
import { requestBody } from './bodies.js';
import { CellTable, type Cell } from './cells.js';
import { environmentLines } from './environment.js';
import { ENCODINGS, parseOptions, selected, threadingFor, VARIANTS, type BenchConfig, type Encoding, type VariantKey } from './options.js';
import { childrenCpuSeconds, cpuSeconds, installCleanup, machineBusySeconds, removeOnExit, waitQuiet } from './processes.js';
import { measureRawOrt, type RawOrtRow } from './raw-ort.js';
import { BUSY, rawTable, ratioTable, resultsTable, Targets } from './report.js';
import { evaluateTargets, largeRatios } from './targets.js';
import { startVariant, type VariantServer } from './variants.js';
import { checkWrk, runWrk, writeWrkScript, type WrkScript } from './wrk.js';

const out = (text = ''): void => void process.stdout.write(`${text}\n`);
const progress = (text: string): void => void process.stderr.write(`${text}\n`);

interface Section {
  readonly name: string;
  readonly model: BenchModel;
  readonly concurrencies: readonly number[];
  readonly variants: readonly VariantKey[];
  readonly encodings: readonly Encoding[];
  /** Measure raw onnxruntime for this model. */
  readonly raw: boolean;
}

const quietBudget = { leftMs: 120_000 };

class Progress {
  done = 0;
  constructor(
    readonly total: number,
    readonly started = Date.now(),
  ) {}
  line(text: string): void {
    this.done++;
    const elapsed = (Date.now() - this.started) / 1000;
    const left = (elapsed / this.done) * (this.total - this.done);
    progress(`[${this.done}/${this.total} ${Math.round(elapsed)}s, ~${Math.round(left)}s left] ${text}`);
  }
}

async function measure(cell: Cell, server: VariantServer, script: WrkScript, config: BenchConfig, bar: Progress): Promise<void> {
  const c = cell.concurrency;
  // On a shared machine, let another process's burst pass first (bounded: 8 s a cell, 2 min a run).
  const waitMs = Math.min(8_000, quietBudget.leftMs);
  const t0 = Date.now();
  await waitQuiet(BUSY, waitMs);
  quietBudget.leftMs -= Date.now() - t0;
  if (config.warmupS > 0) await runWrk(script, server.inferUrl, c, config.warmupS);
  const before = await server.batchCounters();
  const pid = server.server.child.pid;
  const [cpu0, wrk0, self0, busy0] = [cpuSeconds(pid), childrenCpuSeconds(), process.cpuUsage(), machineBusySeconds()];
  const wrk = await runWrk(script, server.inferUrl, c, config.durationS);
  const [cpu1, wrk1, self, busy1] = [cpuSeconds(pid), childrenCpuSeconds(), process.cpuUsage(self0), machineBusySeconds()];
  const after = await server.batchCounters();
  const cores = (seconds: number): number => seconds / wrk.durationS;
  const selfS = (self.user + self.system) / 1e6;
  const batch =
    before !== undefined && after !== undefined
      ? {
          rows: after.rows - before.rows,
          executions: after.executions - before.executions,
        }
      : undefined;
  const requests = (after?.requests ?? 0) - (before?.requests ?? 0);
  const timed =
    before !== undefined && after !== undefined && requests > 0
      ? {
          requests,
          inServerNs: (after.inServerNs ?? 0) - (before.inServerNs ?? 0),
          inferNs: (after.inferNs ?? 0) - (before.inferNs ?? 0),
        }
      : undefined;
  cell.rounds.push({
    wrk,
    cpuCores: cores(cpu1 - cpu0),
    wrkCores: cores(wrk1 - wrk0),
    otherCores: cores(busy1 - busy0 - (cpu1 - cpu0) - (wrk1 - wrk0) - selfS),
    ...(batch !== undefined ? { batch } : {}),
    ...(timed !== undefined ? { server: timed } : {}),
  });
  const avg = batch !== undefined && batch.executions > 0 ? ` batch ${(batch.rows / batch.executions).toFixed(1)}` : '';
  const errors = wrk.errors > 0 ? ` ERRORS ${wrk.errors}` : '';
  bar.line(
    `${cell.section} ${cell.encoding} c=${c} ${cell.variant}: ${Math.round(wrk.reqPerS)} req/s p50 ${wrk.p50Ms.toFixed(3)} ms p99 ${wrk.p99Ms.toFixed(2)} ms${avg}${errors}`,
  );
}

/** Start the section's servers, run its cells (interleaved per round), stop them. */
async function runCells(section: Section, config: BenchConfig, workDir: string, cells: CellTable, bar: Progress): Promise<void> {
  const scripts = new Map<Encoding, WrkScript>();
  for (const e of section.encodings) scripts.set(e, writeWrkScript(workDir, `${section.name}-${e}`, requestBody(section.model, e)));
  const servers: VariantServer[] = [];
  try {
    for (const v of section.variants) {
      servers.push(await startVariant(v, section.model, config, workDir));
      progress(`started ${v} for ${section.model.name}`);
    }
    const ls = servers.find((s) => s.variant.startsWith('ls-'));
    if (ls !== undefined) out(`(${section.name}: average batch from ${ls.counterSource()})`);
    for (let round = 0; round < config.rounds; round++) {
      for (const c of section.concurrencies) {
        for (const e of section.encodings) {
          for (const server of servers) {
            await measure(cells.cell(section.name, server.variant, e, c, 1), server, scripts.get(e) as WrkScript, config, bar);
          }
        }
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.server.stop()));
  }
}

async function runSection(section: Section, config: BenchConfig, workDir: string, cells: CellTable, bar: Progress): Promise<RawOrtRow[]> {
  await runCells(section, config, workDir, cells, bar);
  let raw: RawOrtRow[] = [];
  if (section.raw) {
    // After the servers are gone, so the loop has the machine to itself; at the standard batch
    // sizes and at every average batch that formed.
    const formed = cells
      .all(section.name)
      .flatMap((cell) =>
        cell.rounds.map((r) => (r.batch !== undefined && r.batch.executions > 0 ? Math.round(r.batch.rows / r.batch.executions) : 1)),
      );
    progress(`raw onnxruntime loop for ${section.model.name}`);
    raw = await measureRawOrt(section.model, config, [...config.rawBatches, ...formed]);
  }
  out();
  const sizes = section.encodings.map((e) => `${e} ${requestBody(section.model, e).body.byteLength} B`).join(', ');
  out(
    `## ${section.name}: ${section.model.name}, input ${section.model.inputName} [1,${section.model.rowDims.join(',')}] FP32 per request (bodies: ${sizes})`,
  );
  out();
  out(resultsTable(cells, section.name, section.concurrencies));
  if (section.raw) {
    out();
    out(`Raw onnxruntime, in process, ${section.model.name}:`);
    const { instances, threads } = threadingFor(config, section.model);
    out(rawTable(raw, instances, threads));
  }
  out();
  out(`Ratios (${section.name}, same run):`);
  out(ratioTable(cells, section.name, section.concurrencies, section.raw ? raw : undefined));
  return raw;
}

function sections(config: BenchConfig, workDir: string): Section[] {
  const list: Section[] = [];
  const pick = (name: string): { variants: VariantKey[]; encodings: Encoding[] } => ({
    variants: VARIANTS.filter((v) => selected(config.only, name, v)),
    encodings: ENCODINGS.filter((e) => selected(config.only, name, undefined, e)),
  });
  if (selected(config.only, 'digits-cnn')) {
    list.push({
      name: 'digits-cnn',
      model: digitsCnn(),
      concurrencies: config.concurrency,
      raw: true,
      ...pick('digits-cnn'),
    });
  }
  if (selected(config.only, 'mlp')) {
    progress('generating the MLP 1024-4096-4096-1024 (~100 MB, temp dir)');
    list.push({
      name: 'mlp',
      model: writeMlp(join(workDir, 'mlp.onnx')),
      concurrencies: config.mlpConcurrency,
      raw: true,
      ...pick('mlp'),
    });
  }
  if (selected(config.only, 'large')) {
    const { encodings } = pick('large');
    const variants = (['bare', 'ls-batch'] as const).filter((v) => selected(config.only, 'large', v));
    list.push({
      name: 'large',
      model: writeImageMean(join(workDir, 'image-mean.onnx')),
      concurrencies: config.largeConcurrency,
      raw: false,
      variants,
      encodings,
    });
  }
  return list;
}

async function main(): Promise<number> {
  let config: BenchConfig;
  try {
    config = parseOptions(process.argv.slice(2));
  } catch (error) {
    progress((error as Error).message);
    return 2;
  }
  installCleanup();
  const wrkVersion = checkWrk();
  const workDir = mkdtempSync(join(tmpdir(), 'layerscope-bench-'));
  removeOnExit(workDir);
  const list = sections(config, workDir);
  const total = config.rounds * list.reduce((n, s) => n + s.concurrencies.length * s.variants.length * s.encodings.length, 0);
  const estimate = total * (config.durationS + config.warmupS + 0.4) + list.length * 15;
  out('# layerscope benchmarks');
  out();
  for (const line of environmentLines(config, wrkVersion)) out(line);
  out(
    `- ${total} cells × (${config.warmupS} s warm-up + ${config.durationS} s), ${config.rounds} round(s): about ${Math.ceil(estimate / 60)} min`,
  );
  const cells = new CellTable();
  const raws = new Map<string, RawOrtRow[]>();
  const bar = new Progress(total);
  for (const section of list) raws.set(section.name, await runSection(section, config, workDir, cells, bar));
  if (list.some((s) => s.name === 'large')) {
    out();
    out(largeRatios(cells, config.largeConcurrency));
  }
  const busy = list.flatMap((s) => cells.all(s.name)).filter((cell) => cell.rounds.some((r) => r.otherCores > BUSY)).length;
  out();
  out(
    `${busy} of ${total} cells ran while other processes used more than ${BUSY} core (marked busy); waited ${Math.round((120_000 - quietBudget.leftMs) / 1000)} s for quiet.`,
  );
  const targets = new Targets();
  evaluateTargets(targets, cells, raws, config);
  out();
  out('## Targets (issue 3; reported, not asserted)');
  out();
  out(targets.print());
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    progress(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
