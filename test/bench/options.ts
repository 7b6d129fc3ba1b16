/**
 * Command-line flags of `npm run bench` (node dist/test/bench/run.js [flags]). Parsed once, frozen.
 */
import { statSync } from 'node:fs';
import { defaultThreading } from '../../src/runtime/threading.js';

export const MODELS = ['digits-cnn', 'mlp'] as const;
export const VARIANTS = ['bare', 'naive-t1', 'naive-tdef', 'ls-batch', 'ls-nobatch'] as const;
export const ENCODINGS = ['json', 'binary'] as const;

export type ModelKey = (typeof MODELS)[number];
export type VariantKey = (typeof VARIANTS)[number];
export type Encoding = (typeof ENCODINGS)[number];

export interface BenchConfig {
  /** Seconds per measured cell (wrk -d; wrk takes whole seconds). */
  readonly durationS: number;
  /** Seconds of warm-up load before each cell, discarded (0 = none). */
  readonly warmupS: number;
  /** Concurrencies (wrk -c) for the small model and for the MLP. */
  readonly concurrency: readonly number[];
  readonly mlpConcurrency: readonly number[];
  /** Concurrencies of the large-body comparison. */
  readonly largeConcurrency: readonly number[];
  /** Repeat the whole matrix this many times (interleaved); cells report the median. */
  readonly rounds: number;
  /** Selection: sections, models, variants, encodings (empty = all). */
  readonly only: readonly string[];
  /** Layerscope's model instances and intra-op threads; 0 = the server's own default for each model. */
  readonly instances: number;
  readonly threads: number;
  /** Batch sizes of the raw onnxruntime table. */
  readonly rawBatches: readonly number[];
  /** Windows per raw onnxruntime cell and the minimum length of each (ms). */
  readonly rawWindows: number;
  readonly rawWindowMs: number;
}

export const USAGE = `usage: npm run bench -- [flags]      (or: node dist/test/bench/run.js [flags] after npm run build)
  --quick                 2 s cells, 1 s warm-up, shorter raw onnxruntime windows
  --duration S            seconds per cell (default 5)
  --warmup S              warm-up seconds before each cell (default 1; 0 = none)
  --concurrency LIST      small-model concurrencies (default 1,16,64,256)
  --mlp-concurrency LIST  compute-bound MLP concurrencies (default 1,64; the full set takes ~3 more minutes)
  --large-concurrency LIST  large-body (1x3x224x224) concurrencies (default 1,16)
  --rounds N              repeat every cell N times, interleaved; report the median (default 1)
  --only LIST             run only these: sections (digits-cnn, mlp, large), variants
                          (${VARIANTS.join(', ')}), encodings (json, binary); a model's raw
                          onnxruntime table always runs with it
  --instances N           layerscope model instances (default: the server's default for this machine and model)
  --threads N             onnxruntime intra-op threads per instance (default: the server's default)
environment:
  LAYERSCOPE_BENCH_BIN    the layerscope entry point the ls-* variants run (default bin/layerscope.js),
                          e.g. another checkout's, to compare two builds`;

function list(value: string, flag: string): number[] {
  const out = value.split(',').map((v) => Number(v.trim()));
  if (out.length === 0 || out.some((v) => !Number.isInteger(v) || v < 1))
    throw new Error(`${flag}: expected positive integers, got '${value}'`);
  return out;
}

function int(value: string | undefined, flag: string, min: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer ≥ ${min}, got '${value}'`);
  return n;
}

/** @throws Error naming the flag for anything it does not understand. */
export function parseOptions(argv: readonly string[]): BenchConfig {
  const config = {
    durationS: 5,
    warmupS: 1,
    concurrency: [1, 16, 64, 256],
    mlpConcurrency: [1, 64],
    largeConcurrency: [1, 16],
    rounds: 1,
    only: [] as string[],
    instances: 0,
    threads: 0,
    rawBatches: [1, 8, 16, 32, 64],
    rawWindows: 7,
    rawWindowMs: 300,
  };
  const known = new Set<string>([...MODELS, ...VARIANTS, ...ENCODINGS, 'large']);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--quick':
        config.durationS = 2;
        config.warmupS = 1;
        config.rawWindows = 3;
        config.rawWindowMs = 200;
        continue;
      case '--duration':
        config.durationS = int(value, flag, 1);
        break;
      case '--warmup':
        config.warmupS = int(value, flag, 0);
        break;
      case '--concurrency':
        config.concurrency = list(value ?? '', flag);
        break;
      case '--mlp-concurrency':
        config.mlpConcurrency = list(value ?? '', flag);
        break;
      case '--large-concurrency':
        config.largeConcurrency = list(value ?? '', flag);
        break;
      case '--rounds':
        config.rounds = int(value, flag, 1);
        break;
      case '--only':
        config.only = (value ?? '')
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
        for (const v of config.only) if (!known.has(v)) throw new Error(`--only: unknown '${v}' (known: ${[...known].join(', ')})`);
        break;
      case '--instances':
        config.instances = int(value, flag, 1);
        break;
      case '--threads':
        config.threads = int(value, flag, 1);
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown flag '${flag}'\n${USAGE}`);
    }
    i++;
  }
  return Object.freeze(config);
}

/**
 * Whether a selection passes `--only`: within each dimension (section/model, variant, encoding)
 * that `--only` names at all, the value must be one of those named.
 */
export function selected(only: readonly string[], section: string, variant?: string, encoding?: string): boolean {
  if (only.length === 0) return true;
  const sections = only.filter((o) => o === 'large' || (MODELS as readonly string[]).includes(o));
  const variants = only.filter((o) => (VARIANTS as readonly string[]).includes(o));
  const encodings = only.filter((o) => (ENCODINGS as readonly string[]).includes(o));
  if (sections.length > 0 && !sections.includes(section)) return false;
  if (variant !== undefined && variants.length > 0 && !variants.includes(variant)) return false;
  if (encoding !== undefined && encodings.length > 0 && !encodings.includes(encoding)) return false;
  return true;
}

/**
 * The instances × threads layerscope runs `model` with in this benchmark: the flags where given,
 * else what the server itself picks for this machine and this model file (runtime/threading.ts).
 */
export function threadingFor(config: Pick<BenchConfig, 'instances' | 'threads'>, model: { readonly onnxPath: string }): { instances: number; threads: number } {
  const auto = defaultThreading(undefined, statSync(model.onnxPath).size);
  const instances = config.instances > 0 ? config.instances : auto.instanceCount;
  // As the server does (repository/runner-options.ts): another instance count than its own → 1 thread each.
  const threads = config.threads > 0 ? config.threads : instances === auto.instanceCount ? auto.intraOpThreads : 1;
  return { instances, threads };
}
