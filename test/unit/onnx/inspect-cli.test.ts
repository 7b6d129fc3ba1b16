import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatBytes, runInspect } from '../../../src/cli/inspect.js';
import { MODELS_DIR } from '../../helpers/paths.js';
import { onnxFixture } from './fixtures.js';

async function inspect(argv: string[]): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await runInspect(argv, (line) => lines.push(line));
  return { code, lines, text: lines.join('\n') };
}

test('prints the model summary, the module tree and the observable layers', async () => {
  const { code, lines, text } = await inspect([onnxFixture('mlp.onnx')]);
  assert.equal(code, 0);
  assert.match(text, /^file +.*mlp\.onnx$/m);
  assert.match(text, /^format +ONNX IR 8, opset ai\.onnx 17$/m);
  assert.match(text, /^producer +layerscope-fixtures 1$/m);
  assert.match(text, /^inputs +x +FP32 +\[batch, 4\]$/m);
  assert.match(text, /^outputs +y +FP32 +\[batch, 2\]$/m);
  assert.match(text, /^nodes +5$/m);
  assert.match(text, /^parameters +23$/m);
  assert.match(text, /^weight bytes +92 \(92 B\)$/m);
  assert.match(text, /^ {2}\(model\) +5 +23 +92 B$/m);
  assert.match(text, /^ {4}fc1 +2 +15 +60 B$/m);
  assert.match(text, /^ {4}relu +1 +0 +0 B$/m);
  assert.match(text, /^ {4}fc2 +2 +8 +32 B$/m);
  assert.ok(lines.includes('layers at depth 1 (* = observed by default, at most 32):'));
  assert.match(text, /^ {2}\* +fc1 +15 +FP32 +\/fc1\/Add_output_0$/m);
  assert.match(text, /^ {2}\* +fc2 +8 +FP32 +y$/m);
});

test('indents the module tree by depth and lists layers at the chosen depth', async () => {
  const { code, text } = await inspect([onnxFixture('nested.onnx'), '--depth', '2']);
  assert.equal(code, 0);
  assert.match(text, /^ {4}encoder +5 +8 +32 B$/m);
  assert.match(text, /^ {6}layers\.0 +2 +4 +16 B$/m);
  assert.match(text, /^ {8}fc +1 +4 +16 B$/m);
  assert.match(text, /^layers at depth 2 /m);
  assert.match(text, /^ {2}\* +encoder\/layers\.0 +4 +FP32 +\/encoder\/layers\.0\/act\/Relu_output_0$/m);
});

test('marks layers whose output is not a float tensor as not observed by default', async () => {
  const { text } = await inspect([onnxFixture('unnamed.onnx')]);
  assert.match(text, /^ {2}\* +Gemm_0 /m);
  assert.match(text, /^ +Shape_3 +0 +INT64 +x_shape$/m);
});

test('prints the same facts as one JSON object with --json', async () => {
  const { code, lines } = await inspect(['--json', onnxFixture('mlp.onnx')]);
  assert.equal(code, 0);
  assert.equal(lines.length, 1);
  const report = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.equal(report['irVersion'], 8);
  assert.equal(report['parameterCount'], 23);
  assert.equal(report['weightBytes'], 92);
  assert.equal(report['weightBytesHuman'], '92 B');
  assert.deepEqual(report['inputs'], [{ name: 'x', datatype: 'FP32', shape: ['batch', 4] }]);
  assert.deepEqual(report['opsets'], [{ domain: '', version: 17 }]);
  const tree = report['tree'] as { nodeCount: number; children: { path: string; parameterCount: number }[] };
  assert.equal(tree.nodeCount, 5);
  assert.deepEqual(
    tree.children.map((c) => [c.path, c.parameterCount]),
    [
      ['fc1', 15],
      ['relu', 0],
      ['fc2', 8],
    ],
  );
  const layers = report['layers'] as { name: string; outputTensor: string; observedByDefault: boolean }[];
  assert.deepEqual(
    layers.map((l) => [l.name, l.outputTensor, l.observedByDefault]),
    [
      ['fc1', '/fc1/Add_output_0', true],
      ['relu', '/relu/Relu_output_0', true],
      ['fc2', 'y', true],
    ],
  );
});

test('rejects a missing model file with exit code 2 and a message naming it', async () => {
  const { code, text } = await inspect([onnxFixture('missing.onnx')]);
  assert.equal(code, 2);
  assert.match(text, /^inspect: cannot read model file '.*missing\.onnx': no such file$/m);
});

test('rejects a corrupt model file with exit code 2', async () => {
  const { code, text } = await inspect([onnxFixture('corrupt.onnx')]);
  assert.equal(code, 2);
  assert.match(text, /^inspect: .*corrupt\.onnx: not a valid ONNX model/m);
});

test('rejects bad flags and arguments with exit code 2 and the usage line', async () => {
  for (const argv of [
    [onnxFixture('mlp.onnx'), '--bogus'],
    [onnxFixture('mlp.onnx'), '--depth', '0'],
    [onnxFixture('mlp.onnx'), '--depth', 'two'],
    [onnxFixture('mlp.onnx'), onnxFixture('nested.onnx')],
    [],
  ]) {
    const { code, lines } = await inspect(argv);
    assert.equal(code, 2, `exit code for ${argv.join(' ')}`);
    assert.match(lines[0] ?? '', /^inspect: /);
    assert.equal(lines.at(-1), 'usage: layerscope inspect MODEL.onnx [--depth N] [--json]');
  }
});

test('prints help and exits 0 with --help', async () => {
  const { code, lines } = await inspect(['--help']);
  assert.equal(code, 0);
  assert.equal(lines[0], 'usage: layerscope inspect MODEL.onnx [--depth N] [--json]');
});

test('formats byte counts in binary units', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(Math.round(1.23 * 1024 * 1024)), '1.23 MiB');
  assert.equal(formatBytes(3 * 1024 ** 3), '3.00 GiB');
});

const shippedCnn = join(MODELS_DIR, 'digits-cnn', '1', 'model.onnx');

test(
  'prints the layer tree and weight bytes of the shipped digits-cnn model',
  { skip: existsSync(shippedCnn) ? false : 'shipped models not built yet' },
  async () => {
    const { code, text } = await inspect([shippedCnn]);
    assert.equal(code, 0);
    assert.match(text, /^weight bytes +[\d,]+ \([\d.]+ KiB\)$/m);
    assert.match(text, /^module tree +nodes +parameters +weight bytes$/m);
    assert.match(text, /^ {4}block1 +\d+ +[\d,]+ /m);
    assert.match(text, /^ {6}conv +1 +[\d,]+ /m);
    assert.match(text, /^ {2}\* +block1 +/m);
  },
);
