/**
 * Starting the four server variants, each in its own process:
 *  (a) bare       — Fastify with layerscope's parsing and encoding, no model (the HTTP ceiling);
 *  (b) naive-t1 / naive-tdef — one session.run per request on the main thread (intraOpNumThreads 1 / default);
 *  (c) ls-batch   — the real `bin/layerscope.js serve`, config with dynamic_batching;
 *  (d) ls-nobatch — the same without dynamic_batching (max_batch_size kept, so the batch dim stays).
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/paths.js';
import { writeRepository, type BenchModel } from './bench-models.js';
import { threadingFor, type BenchConfig, type VariantKey } from './options.js';
import { ask, freePort, startServer, type RunningServer } from './processes.js';

export interface VariantServer {
  readonly variant: VariantKey;
  readonly server: RunningServer;
  /** The infer URL for the model. */
  readonly inferUrl: string;
  /**
   * Rows, executions and (from /stats) request times so far; layerscope only, undefined when the
   * server cannot tell.
   */
  batchCounters(): Promise<ServerCounters | undefined>;
  /** Where batchCounters comes from, for the report. */
  counterSource(): string;
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

interface Duration {
  count?: number;
  ns?: number;
}

interface ModelStats {
  model_stats?: {
    inference_count?: number;
    execution_count?: number;
    inference_stats?: { success?: Duration; compute_infer?: Duration };
  }[];
}

/** Counters a layerscope server keeps; the time fields only where it has /stats. */
export interface ServerCounters {
  readonly rows: number;
  readonly executions: number;
  /** Successful requests, their time in the server (from infer() to the outputs in hand) and in session.run. */
  readonly requests?: number;
  readonly inServerNs?: number;
  readonly inferNs?: number;
}

async function readStats(url: string): Promise<ServerCounters | undefined> {
  try {
    const response = await fetch(url);
    if (response.status !== 200) {
      await response.arrayBuffer();
      return undefined;
    }
    const body = (await response.json()) as ModelStats;
    const stats = body.model_stats;
    if (!Array.isArray(stats) || stats.length === 0) return undefined;
    let rows = 0;
    let executions = 0;
    let requests = 0;
    let inServerNs = 0;
    let inferNs = 0;
    for (const s of stats) {
      if (typeof s.inference_count !== 'number' || typeof s.execution_count !== 'number') return undefined;
      rows += s.inference_count;
      executions += s.execution_count;
      requests += s.inference_stats?.success?.count ?? 0;
      inServerNs += s.inference_stats?.success?.ns ?? 0;
      inferNs += s.inference_stats?.compute_infer?.ns ?? 0;
    }
    return { rows, executions, requests, inServerNs, inferNs };
  } catch {
    return undefined;
  }
}

function layerscopeArgs(repo: string, port: number): string[] {
  return [
    '--import',
    pathToFileURL(here('./servers/batch-counter.js')).href,
    process.env['LAYERSCOPE_BENCH_BIN'] ?? join(REPO_ROOT, 'bin', 'layerscope.js'),
    'serve',
    '--model-repository',
    repo,
    '--http-host',
    '127.0.0.1',
    '--http-port',
    String(port),
    '--metrics-host',
    '127.0.0.1',
    '--metrics-port',
    '0',
    '--log-level',
    'warn',
  ];
}

/**
 * Start `variant` serving `model` on a free 127.0.0.1 port and wait until it is ready.
 * @param nodeFlags extra node flags for the server process (e.g. `--cpu-prof`).
 */
export async function startVariant(
  variant: VariantKey,
  model: BenchModel,
  config: Pick<BenchConfig, 'instances' | 'threads'>,
  workDir: string,
  nodeFlags: readonly string[] = [],
): Promise<VariantServer> {
  const port = await freePort();
  const label = `${variant} (${model.name})`;
  let args: string[];
  if (variant === 'bare') {
    args = [
      here('./servers/bare-server.js'),
      '--port',
      String(port),
      '--output-name',
      model.outputName,
      '--output-row-dims',
      model.outputRowDims.join(','),
    ];
  } else if (variant === 'naive-t1' || variant === 'naive-tdef') {
    args = [
      here('./servers/naive-server.js'),
      '--port',
      String(port),
      '--model',
      model.onnxPath,
      '--threads',
      variant === 'naive-t1' ? '1' : 'default',
    ];
  } else {
    const repo = writeRepository(join(workDir, `repo-${model.name}-${variant}`), model, {
      batching: variant === 'ls-batch',
      ...threadingFor(config, model),
    });
    args = layerscopeArgs(repo, port);
  }
  const server = await startServer(label, [...nodeFlags, ...args], port);
  const inferUrl = `${server.url}/v2/models/${model.name}/infer`;
  if (variant !== 'ls-batch' && variant !== 'ls-nobatch') {
    return {
      variant,
      server,
      inferUrl,
      batchCounters: async () => undefined,
      counterSource: () => '',
    };
  }
  const ready = await fetch(`${server.url}/v2/models/${model.name}/ready`);
  await ready.arrayBuffer();
  if (ready.status !== 200) {
    await server.stop();
    throw new Error(`${label}: model not ready (${ready.status}):\n${server.output()}`);
  }
  const statsUrl = `${server.url}/v2/models/${model.name}/stats`;
  let source: 'stats' | 'channel' | 'none' = (await readStats(statsUrl)) !== undefined ? 'stats' : 'none';
  if (source === 'none' && (await ask(server.child, 'subscribe')) !== undefined) source = 'channel';
  return {
    variant,
    server,
    inferUrl,
    async batchCounters() {
      if (source === 'stats') return readStats(statsUrl);
      if (source === 'channel') return ask<{ rows: number; executions: number }>(server.child, 'counters');
      return undefined;
    },
    counterSource: () =>
      source === 'stats'
        ? 'GET /v2/models/<m>/stats (execution_count, inference_count)'
        : source === 'channel'
          ? "the batcher's layerscope:batch diagnostics channel (no /stats endpoint yet)"
          : 'none',
  };
}
