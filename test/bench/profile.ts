/**
 * Profile one server variant under load: start it with `node --cpu-prof`, load it with wrk, stop
 * it, and print where its threads spent their time (self time by function and by area). For
 * finding server performance problems; it prints, asserts nothing.
 *   node dist/test/bench/profile.js [--model digits-cnn|mlp] [--variant ls-batch] [--encoding binary]
 *                                   [--concurrency 64] [--duration 5] [--keep DIR]
 */
import { mkdtempSync, readdirSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digitsCnn, writeMlp } from './bench-models.js';
import { requestBody } from './bodies.js';
import { installCleanup, removeOnExit } from './processes.js';
import { table } from './report.js';
import type { Encoding, VariantKey } from './options.js';
import { startVariant } from './variants.js';
import { runWrk, writeWrkScript } from './wrk.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Where a frame's code lives, coarsely. */
function area(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  if (url === '') return '(native/builtin)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] as string;
  const src = /dist\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url) ?? /dist\/(src\/[^/]+)/.exec(url);
  if (src) return src[1] as string;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url.replace(/^.*\//, '');
}

/**
 * Self time by function and area for the samples inside [fromMs, toMs] after the profile started
 * (the measured load, without start-up and warm-up).
 */
function summarize(file: string, requests: number, fromMs: number, toMs: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= fromMs * 1000 && at <= toMs * 1000) self.set(id, (self.get(id) ?? 0) + delta);
  });
  const total = toMs - fromMs;
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) continue;
    const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + us / 1000);
    const a = area(f.url, f.functionName);
    areas.set(a, (areas.get(a) ?? 0) + us / 1000);
  }
  const busy = total - (areas.get('(idle)') ?? 0);
  const pct = (ms: number): string => `${((100 * ms) / total).toFixed(1)}%`;
  const top = (m: Map<string, number>, n: number): string[][] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => [k, ms.toFixed(0), pct(ms)]);
  return [
    `${file.replace(/^.*\//, '')}: ${total.toFixed(0)} ms of load, ${busy.toFixed(0)} ms not idle (${pct(busy)}); ` +
      `${((busy * 1000) / requests).toFixed(1)} µs not idle per request (${requests} requests)`,
    table(['area', 'self ms', '% of wall'], top(areas, 14)),
    table(['function', 'self ms', '% of wall'], top(fns, 25)),
  ].join('\n\n');
}

async function main(): Promise<void> {
  installCleanup();
  const modelName = flag('model', 'digits-cnn');
  const variant = flag('variant', 'ls-batch') as VariantKey;
  const encoding = flag('encoding', 'binary') as Encoding;
  const c = Number(flag('concurrency', '64'));
  const seconds = Number(flag('duration', '5'));
  const work = mkdtempSync(join(tmpdir(), 'layerscope-profile-'));
  removeOnExit(work);
  const profDir = join(work, 'prof');
  const model = modelName === 'mlp' ? writeMlp(join(work, 'mlp.onnx')) : digitsCnn();
  const spawned = performance.now();
  const server = await startVariant(variant, model, { instances: 0, threads: 0 }, work, [
    '--cpu-prof',
    `--cpu-prof-dir=${profDir}`,
  ]);
  const script = writeWrkScript(work, 'profile', requestBody(model, encoding));
  await runWrk(script, server.inferUrl, c, 1);
  const from = performance.now() - spawned;
  const result = await runWrk(script, server.inferUrl, c, seconds);
  const to = performance.now() - spawned;
  const counters = await server.batchCounters();
  await server.server.stop();
  process.stdout.write(
    `${variant} ${model.name} ${encoding} c=${c}: ${Math.round(result.reqPerS)} req/s, p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(2)} ms` +
      `${counters ? `, avg batch ${(counters.rows / Math.max(1, counters.executions)).toFixed(1)} (incl. warm-up)` : ''}\n` +
      `(samples of the ${seconds} s measured load only; a worker thread's profile starts a little after the process's)\n\n`,
  );
  const files = readdirSync(profDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  for (const f of files) process.stdout.write(`${summarize(join(profDir, f), result.requests, from, to)}\n\n`);
  const keep = flag('keep', '');
  if (keep !== '') {
    cpSync(profDir, keep, { recursive: true });
    process.stdout.write(`profiles copied to ${keep} (open in Chrome DevTools → Performance)\n`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
