/**
 * `layerscope baseline --model-repository DIR --model NAME --data FILE [--version N] [--out PATH]`
 * (DESIGN.md §3): runs reference data through the model's instrumented graph (the layers the
 * server observes for it, from its config.json `observe` block) and writes the activation
 * baseline drift is measured against, `<version>/baseline.json` by default (observe/drift/baseline.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { createInstrumentedRunner, type InstrumentedRunner } from '../observe/activations/instrumented-runner.js';
import { floatView } from '../observe/activations/float-view.js';
import { BASELINE_FILE, BASELINE_FORMAT, buildLayerBaseline, serializeBaseline, type Baseline, type LayerBaseline } from '../observe/drift/baseline.js';
import { readReferenceData, type ReferenceTensor } from '../observe/drift/reference-data.js';
import { seededRandom, stridedSample, ValueReservoir } from '../observe/drift/sampling.js';
import { parseModelConfig, type ModelConfigFile } from '../repository/model-config.js';
import { listVersions } from '../repository/versions.js';
import { createOnnxRunnerFactory } from '../runtime/onnx/onnx-runner-factory.js';
import { ARRAY_CTOR, type DataType } from '../types/datatype.js';
import type { GraphTensor } from '../types/model.js';
import type { Tensor } from '../types/tensor.js';

const USAGE = 'usage: layerscope baseline --model-repository DIR --model NAME --data FILE [--version N] [--out PATH]';
const HELP = [
  USAGE,
  '',
  'Runs reference data through the layers the server observes for the model and writes their',
  'activation distribution (quantile bins and shares), the baseline drift scores compare against.',
  '',
  '  --model-repository DIR  the model repository (or LAYERSCOPE_MODEL_REPOSITORY)',
  '  --model NAME            the model directory',
  '  --data FILE             reference inputs: a V2 inference request JSON, {"shape","data"} JSON',
  '                          (like golden/test-split.json) or a .npy array (little-endian f4/f8)',
  '  --version N             model version (default: the latest)',
  '  --out PATH              where to write (default: DIR/NAME/N/baseline.json)',
];

const EXIT_USAGE = 2;
/** Values per row and layer kept from the reference data, and per layer in all. */
const VALUES_PER_ROW = 1024;
const VALUES_PER_LAYER = 200_000;
/** Rows per run when config.json sets no max_batch_size. */
const DEFAULT_BATCH = 64;

class UsageError extends Error {}

interface BaselineArgs {
  readonly repository: string;
  readonly model: string;
  readonly data: string;
  readonly version?: string;
  readonly out?: string;
}

function parse(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): BaselineArgs | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        'model-repository': { type: 'string' },
        model: { type: 'string' },
        data: { type: 'string' },
        version: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  const repository = values['model-repository'] ?? env['LAYERSCOPE_MODEL_REPOSITORY'];
  if (!repository) throw new UsageError('missing --model-repository');
  if (!values.model) throw new UsageError('missing --model');
  if (!values.data) throw new UsageError('missing --data');
  if (values.version !== undefined && !/^[1-9]\d*$/.test(values.version)) throw new UsageError(`--version must be a positive integer, got '${values.version}'`);
  return {
    repository,
    model: values.model,
    data: values.data,
    ...(values.version !== undefined ? { version: values.version } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
  };
}

function readConfig(modelDir: string): ModelConfigFile {
  const path = join(modelDir, 'config.json');
  const parsed = parseModelConfig(existsSync(path) ? readFileSync(path, 'utf8') : '{}');
  if (!parsed.ok) throw new UsageError(`invalid config.json: ${parsed.error}`);
  return parsed.config;
}

/** Pairs reference tensors with the model's inputs; checks names, row counts and row shapes. */
function matchInputs(reference: readonly ReferenceTensor[], inputs: readonly GraphTensor[]): { spec: GraphTensor; ref: ReferenceTensor }[] {
  const pairs = inputs.map((spec) => {
    const ref = reference.length === 1 && reference[0]?.name === null ? reference[0] : reference.find((r) => r.name === spec.name);
    if (!ref) throw new UsageError(`the reference data has no tensor for model input '${spec.name}'`);
    if (ref.name === null && inputs.length > 1) throw new UsageError(`the model has ${inputs.length} inputs: use a V2 request body that names them`);
    const dims = spec.shape.slice(1);
    const given = ref.shape.slice(1);
    const fits = dims.length === given.length && dims.every((d, i) => typeof d !== 'number' || d < 0 || d === given[i]);
    if (!fits) throw new UsageError(`input '${spec.name}': rows of shape [${given.join(', ')}] do not fit the model's [${spec.shape.join(', ')}]`);
    return { spec, ref };
  });
  const rows = new Set(pairs.map((p) => p.ref.shape[0]));
  if (rows.size > 1) throw new UsageError(`the reference inputs have different row counts: ${[...rows].join(', ')}`);
  return pairs;
}

function rowsOf(ref: ReferenceTensor, start: number, count: number, datatype: DataType): Tensor['data'] {
  if (datatype === 'BYTES' || datatype === 'FP16' || datatype === 'BF16') throw new UsageError(`inputs of type ${datatype} are not supported by baseline`);
  const perRow = ref.data.length / (ref.shape[0] || 1);
  const slice = ref.data.subarray(start * perRow, (start + count) * perRow);
  if (datatype === 'INT64') return BigInt64Array.from(slice, (v) => BigInt(Math.round(v)));
  if (datatype === 'UINT64') return BigUint64Array.from(slice, (v) => BigInt(Math.round(v)));
  const out = new ARRAY_CTOR[datatype](slice.length);
  (out as Float64Array).set(slice);
  return out;
}

/** The data file as baseline.json names it: relative to the version directory when inside it. */
function sourceName(data: string, versionDir: string): string {
  const inside = relative(resolve(versionDir), resolve(data));
  return inside.startsWith('..') || isAbsolute(inside) ? basename(data) : inside.split(sep).join('/');
}

async function record(
  args: BaselineArgs,
  runner: InstrumentedRunner,
  file: ModelConfigFile,
  version: string,
  versionDir: string,
  out: (line: string) => void,
): Promise<Baseline> {
  const pairs = matchInputs(await readReferenceData(args.data), runner.inputs);
  const rows = pairs[0]?.ref.shape[0] ?? 0;
  if (rows === 0) throw new UsageError('the reference data has no rows');
  const batched = file.max_batch_size !== undefined ? file.max_batch_size > 0 : runner.inputs.every((i) => typeof i.shape[0] === 'string' || i.shape[0] === -1);
  const batch = batched ? file.max_batch_size || DEFAULT_BATCH : 1;
  const random = seededRandom(0xba5e);
  const reservoirs = runner.layers.map(() => new ValueReservoir(VALUES_PER_LAYER, random));
  for (let start = 0; start < rows; start += batch) {
    const count = Math.min(batch, rows - start);
    const inputs = pairs.map(({ spec, ref }): Tensor => ({
      name: spec.name,
      datatype: spec.datatype,
      shape: batched ? [count, ...ref.shape.slice(1)] : ref.shape.slice(1),
      data: rowsOf(ref, start, count, spec.datatype),
    }));
    const outputs = await runner.run(inputs);
    runner.layers.forEach((_, i) => {
      const tensor = outputs[i];
      const data = tensor ? floatView(tensor) : null;
      const reservoir = reservoirs[i];
      if (data && reservoir) stridedSample(data, VALUES_PER_ROW * count, random, (v) => reservoir.add(v));
    });
  }
  const layers: Record<string, LayerBaseline> = {};
  runner.layers.forEach((layer, i) => {
    const reservoir = reservoirs[i];
    if (!reservoir || reservoir.seen === 0) {
      out(`  ${layer.name}: no finite values, left out`);
      return;
    }
    const built = buildLayerBaseline(layer.tensor, reservoir);
    layers[layer.name] = built;
    out(`  ${layer.name}: ${built.count} values, ${built.shares.length} bins, mean ${built.mean}, std ${built.std}, zeros ${built.zeroFraction}`);
  });
  return { format: BASELINE_FORMAT, model: args.model, version, source: sourceName(args.data, versionDir), rows, layers };
}

/**
 * Runs `baseline` with the arguments after the subcommand. Returns the exit code: 0, or 2 for a
 * bad flag, model, config or reference data (the message says which). Never exits the process.
 */
export async function runBaseline(
  argv: readonly string[],
  out: (line: string) => void,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  let runner: InstrumentedRunner | null = null;
  try {
    const args = parse(argv, env);
    if (args === 'help') {
      for (const line of HELP) out(line);
      return 0;
    }
    const modelDir = join(args.repository, args.model);
    if (!existsSync(modelDir)) throw new UsageError(`model '${args.model}' not found in ${args.repository}`);
    const file = readConfig(modelDir);
    const version = args.version ?? String(listVersions(modelDir).at(-1) ?? '');
    const modelPath = join(modelDir, version, file.default_model_filename);
    if (version === '' || !existsSync(modelPath)) throw new UsageError(`no ${file.default_model_filename} for model '${args.model}' version '${version || '(none)'}'`);
    runner = await createInstrumentedRunner({
      model: args.model,
      version,
      modelPath,
      observe: file.observe,
      runnerFactory: createOnnxRunnerFactory(),
      graphOptimizationLevel: file.onnxruntime.graph_optimization_level,
    });
    if (runner === null) throw new UsageError(`model '${args.model}' has no observable layer`);
    out(`recording a baseline of ${args.model} version ${version} from ${args.data}`);
    const baseline = await record(args, runner, file, version, join(modelDir, version), out);
    const target = args.out ?? join(modelDir, version, BASELINE_FILE);
    const text = serializeBaseline(baseline);
    await writeFile(target, text);
    out(`wrote ${relative(process.cwd(), target) || target} (${Buffer.byteLength(text)} bytes, ${baseline.rows} rows, ${Object.keys(baseline.layers).length} layers)`);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    out(`baseline: ${message}`);
    if (err instanceof UsageError) out(USAGE);
    return EXIT_USAGE;
  } finally {
    await runner?.close();
  }
}
