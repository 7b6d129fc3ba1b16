/**
 * What observability costs: throughput of the real server with
 *   - observation off (`observe.enabled: false`) vs on at the default sampling (issue 4), and
 *   - tracing off vs on at 100 % and at 1 % head sampling, exporting OTLP/HTTP to a local sink
 *     that accepts and discards (issue 5),
 * measured with wrk against servers that stay up, in short interleaved rounds whose order rotates
 * (A B C, B C A, …) so drift of this shared machine hits every variant alike. Reported per variant:
 * the median req/s and its ratio to the baseline's median, the median of per-round (paired)
 * ratios, and the server's CPU per request. `--control` adds a second, identical baseline server;
 * the baseline is then both pooled, and their own ratios to it show the noise floor of the
 * measurement. Prints; asserts nothing.
 *
 *   npm run bench:overhead [-- --duration 5 --rounds 3 --concurrency 16 --only observation|tracing --model digits-cnn|mlp --control --warmup 3 --sets 2]
 */
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { digitsCnn, writeMlp, writeRepository, type BenchModel } from './bench-models.js';
import { requestBody } from './bodies.js';
import { cpuSeconds, freePort, installCleanup, removeOnExit, startServer, waitQuiet, type RunningServer } from './processes.js';
import { checkWrk, runWrk, writeWrkScript } from './wrk.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';

interface Variant {
  readonly name: string;
  readonly observe: boolean;
  /** config.json `observe` block when observing (default: none, i.e. the defaults). */
  readonly observeConfig?: Record<string, unknown>;
  readonly env: Record<string, string>;
  /** Part of the baseline the others are compared with (default: the first variant alone). */
  readonly baseline?: boolean;
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** An OTLP/HTTP endpoint that reads and discards export requests (the cost stays in the server). */
async function otlpSink(): Promise<{ url: string; exports: () => number; close: () => void }> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, exports: () => count, close: () => server.close() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function measure(model: BenchModel, variants: readonly Variant[], seconds: number, rounds: number, connections: number, work: string): Promise<void> {
  const warmup = flag('warmup', 3);
  const script = writeWrkScript(work, `${model.name}-binary`, requestBody(model, 'binary', 1));
  const results = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  /** Server CPU (all threads) per request, µs: what observation adds, less exposed to the VM's drift than req/s. */
  const cpuPerRequest = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  // Servers stay up between rounds (an idle one costs nothing), so rounds can be short and many:
  // the VM's drift then lands on every variant alike. `--sets K` starts K fresh sets of servers in
  // turn and splits the rounds among them, so a process's own luck (JIT, heap layout) averages out too.
  const sets = Math.max(1, Math.min(rounds, flag('sets', 2)));
  let round = 0;
  for (let set = 0; set < sets; set++) {
    const servers = new Map<string, { server: RunningServer; url: string }>();
    for (const variant of variants) {
      const repo = writeRepository(join(work, `repo-${model.name}-${variant.name.replace(/\W+/g, '-')}-${set}`), model, { batching: true, instances: 0, threads: 0 });
      // Server defaults for instances and threads; only `observe` differs between variants.
      const path = join(repo, model.name, 'config.json');
      const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      delete config['instance_group'];
      delete config['onnxruntime'];
      if (!variant.observe) config['observe'] = { enabled: false };
      else if (variant.observeConfig) config['observe'] = variant.observeConfig;
      writeFileSync(path, JSON.stringify(config));
      const port = await freePort();
      const saved = { ...process.env };
      Object.assign(process.env, variant.env);
      const server = await startServer(variant.name, [join(REPO_ROOT, 'bin', 'layerscope.js'), 'serve', '--model-repository', repo, '--http-host', '127.0.0.1', '--http-port', String(port), '--metrics-port', '0', '--log-level', 'warn'], port);
      process.env = saved;
      const url = `${server.url}/v2/models/${model.name}/infer`;
      servers.set(variant.name, { server, url });
      // Warm-up: JIT, and the observers' own sessions, which start after READY, are up before measuring.
      await runWrk(script, url, connections, warmup);
    }
    for (const last = Math.round(((set + 1) * rounds) / sets); round < last; round++) {
      // Rotate the order each round (A B C, B C A, C A B, …): no variant always follows the same one.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const variant of order) {
        const { server, url } = servers.get(variant.name)!;
        await waitQuiet(0.3, 3_000);
        const cpuBefore = cpuSeconds(server.child.pid);
        const result = await runWrk(script, url, connections, seconds);
        const cpu = cpuSeconds(server.child.pid) - cpuBefore;
        if (result.errors > 0) process.stderr.write(`${variant.name}: ${result.errors} errors\n`);
        results.get(variant.name)!.push(result.reqPerS);
        cpuPerRequest.get(variant.name)!.push((cpu / result.requests) * 1e6);
      }
    }
    for (const { server } of servers.values()) await server.stop();
  }
  // The baseline: the variants marked as such (the first one and its control), pooled; per round
  // their mean, so each paired ratio compares servers measured seconds apart.
  const baseVariants = variants.some((v) => v.baseline) ? variants.filter((v) => v.baseline) : [variants[0]!];
  const pooled = (table: Map<string, number[]>): { all: number[]; perRound: number[] } => {
    const series = baseVariants.map((v) => table.get(v.name)!);
    return { all: series.flat(), perRound: series[0]!.map((_, i) => series.reduce((sum, values) => sum + values[i]!, 0) / series.length) };
  };
  const { all: baseAll, perRound: baseRounds } = pooled(results);
  const base = median(baseAll);
  const baseCpu = pooled(cpuPerRequest).perRound;
  process.stdout.write(`\n${model.name}, binary body, 1 row per request, concurrency ${connections}, ${rounds} interleaved rounds of ${seconds} s over ${sets} set(s) of servers\n`);
  process.stdout.write(`baseline: ${baseVariants.map((v) => v.name).join(' + ')}${baseVariants.length > 1 ? ' (pooled)' : ''}\n`);
  process.stdout.write(`${'variant'.padEnd(40)} ${'req/s'.padStart(7)}  ${'vs baseline'.padEnd(17)} ${'paired'.padEnd(17)} ${'CPU µs/req'.padStart(10)}  ${'paired'.padEnd(17)} rounds (req/s)\n`);
  for (const variant of variants) {
    const values = results.get(variant.name)!;
    const m = median(values);
    // Each round's ratio to the baseline of the same round: drift between rounds cancels.
    const paired = median(values.map((v, i) => v / baseRounds[i]!));
    const cpu = cpuPerRequest.get(variant.name)!;
    const cpuPaired = median(cpu.map((v, i) => v / baseCpu[i]!));
    const ratio = (r: number): string => `${r.toFixed(3)}× (${((r - 1) * 100).toFixed(1)} %)`;
    process.stdout.write(
      `${variant.name.padEnd(40)} ${m.toFixed(0).padStart(7)}  ${ratio(m / base).padEnd(17)} ${ratio(paired).padEnd(17)} ${median(cpu).toFixed(1).padStart(10)}  ${ratio(cpuPaired).padEnd(17)} ${values.map((v) => v.toFixed(0)).join(' / ')}\n`,
    );
  }
}

async function main(): Promise<void> {
  installCleanup();
  checkWrk();
  const seconds = flag('duration', 5);
  const rounds = flag('rounds', 3);
  const connections = flag('concurrency', 16);
  const work = mkdtempSync(join(tmpdir(), 'layerscope-overhead-'));
  removeOnExit(work);
  const sink = await otlpSink();
  const otlp = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const modelFilter = process.argv.includes('--model') ? process.argv[process.argv.indexOf('--model') + 1] : undefined;
  const models = [digitsCnn(), ...(only === 'tracing' || modelFilter === 'digits-cnn' ? [] : [writeMlp(join(work, 'mlp.onnx'))])];
  for (const model of only === 'tracing' ? [] : models.filter((m) => modelFilter === undefined || m.name === modelFilter)) {
    await measure(
      model,
      [
        { name: 'observation off', observe: false, env: {}, baseline: true },
        // --control: the baseline twice, so the spread of two identical servers is on the table
        // (each one's ratio to the pooled pair) and one server's luck does not set the baseline.
        ...(process.argv.includes('--control') ? [{ name: 'observation off (control, same config)', observe: false, env: {}, baseline: true }] : []),
        { name: 'observers set up, nothing sampled', observe: true, observeConfig: { sample_rate: 0 }, env: {} },
        { name: 'observation on (default sampling)', observe: true, env: {} },
      ],
      seconds,
      rounds,
      connections,
      work,
    );
  }
  if (only === 'observation') return;
  await measure(
    models[0]!,
    [
      { name: 'tracing off', observe: true, env: {} },
      { name: 'tracing on, 100 % sampled', observe: true, env: { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_always_on' } },
      { name: 'tracing on, 1 % sampled', observe: true, env: { ...otlp, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' } },
    ],
    seconds,
    rounds,
    connections,
    work,
  );
  process.stdout.write(`\nOTLP export requests received by the sink: ${sink.exports()}\n`);
  sink.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
