/**
 * The benchmark's models and throw-away model repositories: the shipped digits-cnn, an MLP
 * 1024-4096-4096-1024 (≈100 MB of random FP32 weights, compute-bound from batch ~32) and a tiny
 * model over a 1×3×224×224 input (large request bodies). Generated models go to a temp dir and are
 * never committed. ONNX is built with onnx-proto as in test/fixtures/runtime/make-fixtures.mjs.
 */
import { copyFileSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as schema } from 'onnx-proto';
import { MODELS_DIR } from '../helpers/paths.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** What the harness needs to know about a model to build bodies, configs and servers. */
export interface BenchModel {
  /** Name in the repository and the URL. */
  readonly name: string;
  readonly onnxPath: string;
  readonly inputName: string;
  /** Input dims of one row (without the batch dim). */
  readonly rowDims: readonly number[];
  readonly outputName: string;
  readonly outputRowDims: readonly number[];
  readonly maxBatchSize: number;
  /** Input values: integer pixels 0–16 (digits) or random floats in [-1, 1]. */
  readonly values: 'pixels' | 'floats';
}

/** Deterministic xorshift32 in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0 || 0x2545f491;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function valueInfo(name: string, dims: readonly (number | string)[]): schema.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: T.FLOAT, shape: { dim } } } };
}

/** A FP32 initializer of uniform values in [-scale, scale], stored as raw little-endian bytes. */
function randomTensor(name: string, dims: number[], scale: number, next: () => number): schema.ITensorProto {
  const count = dims.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (next() * 2 - 1) * scale;
  return {
    name,
    dataType: T.FLOAT,
    dims,
    rawData: new Uint8Array(values.buffer),
  };
}

function encodeModel(graph: schema.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'layerscope-bench',
      opsetImport: [{ domain: '', version: 17 }],
      graph,
    }),
  ).finish();
}

/**
 * x [batch, 1024] → MatMul+Add+Relu (4096) → MatMul+Add+Relu (4096) → MatMul+Add → y [batch, 1024].
 * Weights uniform with variance 1/fan_in so activations stay O(1).
 */
export function writeMlp(path: string): BenchModel {
  const next = prng(0x6d6c70);
  const sizes = [1024, 4096, 4096, 1024];
  const initializer: schema.ITensorProto[] = [];
  const node: schema.INodeProto[] = [];
  let prev = 'x';
  for (let l = 0; l < 3; l++) {
    const fanIn = sizes[l] as number;
    const fanOut = sizes[l + 1] as number;
    initializer.push(randomTensor(`w${l}`, [fanIn, fanOut], Math.sqrt(3 / fanIn), next));
    initializer.push(randomTensor(`b${l}`, [fanOut], 0.01, next));
    node.push({
      opType: 'MatMul',
      input: [prev, `w${l}`],
      output: [`mm${l}`],
      name: `layer${l}/matmul`,
    });
    const last = l === 2;
    node.push({
      opType: 'Add',
      input: [`mm${l}`, `b${l}`],
      output: [last ? 'y' : `pre${l}`],
      name: `layer${l}/add`,
    });
    if (!last)
      node.push({
        opType: 'Relu',
        input: [`pre${l}`],
        output: [`h${l}`],
        name: `layer${l}/relu`,
      });
    prev = `h${l}`;
  }
  writeFileSync(
    path,
    encodeModel({
      name: 'mlp',
      node,
      initializer,
      input: [valueInfo('x', ['batch', 1024])],
      output: [valueInfo('y', ['batch', 1024])],
    }),
  );
  return {
    name: 'mlp',
    onnxPath: path,
    inputName: 'x',
    rowDims: [1024],
    outputName: 'y',
    outputRowDims: [1024],
    maxBatchSize: 64,
    values: 'floats',
  };
}

/** x [batch, 3, 224, 224] → ReduceMean over axes [2, 3] → y [batch, 3]: a large body, almost no compute. */
export function writeImageMean(path: string): BenchModel {
  const { AttributeType } = onnx.AttributeProto;
  writeFileSync(
    path,
    encodeModel({
      name: 'image_mean',
      node: [
        {
          opType: 'ReduceMean',
          input: ['x'],
          output: ['y'],
          name: 'mean',
          attribute: [
            { name: 'axes', type: AttributeType.INTS, ints: [2, 3] },
            { name: 'keepdims', type: AttributeType.INT, i: 0 },
          ],
        },
      ],
      input: [valueInfo('x', ['batch', 3, 224, 224])],
      output: [valueInfo('y', ['batch', 3])],
    }),
  );
  return {
    name: 'image-mean',
    onnxPath: path,
    inputName: 'x',
    rowDims: [3, 224, 224],
    outputName: 'y',
    outputRowDims: [3],
    maxBatchSize: 8,
    values: 'floats',
  };
}

/** The shipped digits-cnn, as its config.json describes it. */
export function digitsCnn(): BenchModel {
  return {
    name: 'digits-cnn',
    onnxPath: join(MODELS_DIR, 'digits-cnn', '1', 'model.onnx'),
    inputName: 'input',
    rowDims: [1, 8, 8],
    outputName: 'logits',
    outputRowDims: [10],
    maxBatchSize: 64,
    values: 'pixels',
  };
}

export interface LayerscopeSetup {
  readonly batching: boolean;
  readonly instances: number;
  readonly threads: number;
}

/**
 * A model repository holding only `model` (version 1, the .onnx hard-linked), with a config.json
 * that differs only in `dynamic_batching`. digits-cnn starts from its shipped config.json.
 */
export function writeRepository(dir: string, model: BenchModel, setup: LayerscopeSetup): string {
  const shipped = join(MODELS_DIR, model.name, 'config.json');
  const base: Record<string, unknown> =
    model.name === 'digits-cnn'
      ? (JSON.parse(readFileSync(shipped, 'utf8')) as Record<string, unknown>)
      : {
          name: model.name,
          platform: 'onnxruntime_onnx',
          input: [
            {
              name: model.inputName,
              data_type: 'TYPE_FP32',
              dims: model.rowDims,
            },
          ],
          output: [
            {
              name: model.outputName,
              data_type: 'TYPE_FP32',
              dims: model.outputRowDims,
            },
          ],
        };
  const config: Record<string, unknown> = {
    ...base,
    max_batch_size: model.maxBatchSize,
    instance_group: [{ count: setup.instances, kind: 'KIND_CPU' }],
    onnxruntime: { intra_op_threads: setup.threads },
  };
  delete config['dynamic_batching'];
  if (setup.batching) config['dynamic_batching'] = { max_queue_delay_microseconds: 0 };
  const versionDir = join(dir, model.name, '1');
  mkdirSync(versionDir, { recursive: true });
  writeFileSync(join(dir, model.name, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  try {
    linkSync(model.onnxPath, join(versionDir, 'model.onnx'));
  } catch {
    copyFileSync(model.onnxPath, join(versionDir, 'model.onnx'));
  }
  return dir;
}
