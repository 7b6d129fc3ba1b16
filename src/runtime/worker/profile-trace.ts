/**
 * Reads onnxruntime's profile file (Chrome trace format: an array of `{cat, name, ts, dur, args}`
 * events, times in µs) into a ProfileTrace: kernel events grouped by the forward pass they ran in.
 * It runs on the profiling instance's thread, so a multi-megabyte trace never blocks the main
 * thread. Shapes of the events, as onnxruntime-node 1.x writes them:
 *   {cat:'Session', name:'model_run', ts, dur}                  one per session.run
 *   {cat:'Session', name:'SequentialExecutor::Execute', ts, dur} the executor inside that run
 *   {cat:'Node', name:'/block1/conv/Conv_kernel_time', ts, dur, args:{op_name:'Conv', ...}}
 * (`_fence_before`/`_fence_after` node events of older versions carry no kernel time: skipped.)
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ProfiledNode, ProfiledRun, ProfileTrace } from '../runner.js';

interface Span {
  readonly ts: number;
  readonly dur: number;
}

interface NodeSpan extends Span, ProfiledNode {}

interface RunDraft {
  readonly runUs: number;
  executeUs: number;
  readonly nodes: ProfiledNode[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function span(event: Record<string, unknown>): Span | undefined {
  const { ts, dur } = event;
  return typeof ts === 'number' && typeof dur === 'number' && Number.isFinite(ts) && Number.isFinite(dur) ? { ts, dur } : undefined;
}

/** Index of the run whose [ts, ts+dur] holds `ts` (runs sorted by start), or -1. */
function runAt(runs: readonly Span[], ts: number): number {
  let lo = 0;
  let hi = runs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((runs[mid]?.ts ?? Infinity) <= ts) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const run = runs[found];
  return run !== undefined && ts <= run.ts + run.dur ? found : -1;
}

/**
 * Groups a parsed profile's events into forward passes. `skipRuns` leading runs are dropped (the
 * worker's warm-up run). Node events outside any `model_run` (none are expected) are ignored.
 * @throws TypeError when `json` is neither an event array nor `{traceEvents: [...]}`.
 */
export function parseProfileTrace(json: unknown, skipRuns = 0): ProfileTrace {
  const events = Array.isArray(json) ? json : record(json)?.['traceEvents'];
  if (!Array.isArray(events)) throw new TypeError('profile is not a trace event array');
  const runSpans: Span[] = [];
  const executes: Span[] = [];
  const nodes: NodeSpan[] = [];
  for (const item of events) {
    const event = record(item);
    const at = event && span(event);
    if (!event || !at) continue;
    const { cat, name } = event;
    if (cat === 'Session' && name === 'model_run') runSpans.push(at);
    else if (cat === 'Session' && name === 'SequentialExecutor::Execute') executes.push(at);
    else if (cat === 'Node' && typeof name === 'string' && name.endsWith('_kernel_time')) {
      const op = record(event['args'])?.['op_name'];
      nodes.push({ ...at, name, opType: typeof op === 'string' ? op : '', durationUs: at.dur });
    }
  }
  runSpans.sort((a, b) => a.ts - b.ts);
  nodes.sort((a, b) => a.ts - b.ts);
  const drafts: RunDraft[] = runSpans.map((r) => ({ runUs: r.dur, executeUs: 0, nodes: [] }));
  for (const e of executes) {
    const draft = drafts[runAt(runSpans, e.ts)];
    if (draft) draft.executeUs += e.dur;
  }
  for (const n of nodes) drafts[runAt(runSpans, n.ts)]?.nodes.push({ name: n.name, opType: n.opType, durationUs: n.durationUs });
  return { runs: drafts.slice(skipRuns) as ProfiledRun[] };
}

/**
 * Reads, parses and deletes the profile file a session with `filePrefix` wrote when its profiling
 * ended (`<filePrefix>_<date>_<time>.json`). Every file with that prefix is deleted, parsed or not.
 * @throws Error when no such file exists or it is not a trace.
 */
export async function takeProfileTrace(filePrefix: string, skipRuns: number): Promise<ProfileTrace> {
  const dir = dirname(filePrefix);
  const stem = `${basename(filePrefix)}_`;
  const files = (await readdir(dir)).filter((f) => f.startsWith(stem) && f.endsWith('.json')).sort();
  const latest = files.at(-1);
  if (latest === undefined) throw new Error(`onnxruntime wrote no profile file '${filePrefix}_*.json'`);
  try {
    return parseProfileTrace(JSON.parse(await readFile(join(dir, latest), 'utf8')), skipRuns);
  } finally {
    await Promise.all(files.map((f) => rm(join(dir, f), { force: true })));
  }
}
