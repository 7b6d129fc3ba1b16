import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

const cli = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'layerscope.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

test('layerscope inspect models/digits-cnn/1/model.onnx prints the layer tree and the weight bytes', () => {
  const run = cli('inspect', 'models/digits-cnn/1/model.onnx');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /weight bytes\s+153,896 \(150\.29 KiB\)/);
  assert.match(run.stdout, /parameters\s+38,474/);
  for (const layer of ['block1', 'conv', 'bn', 'block2', 'pool', 'classifier', 'fc1', 'head']) assert.match(run.stdout, new RegExp(`\\n\\s+${layer}\\s+\\d+`), layer);
});

test('an unknown command and a bad serve flag exit 2 with a message naming them', () => {
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const bad = cli('serve', '--http-prot', '1', '--metrics-port', 'x');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown flag '--http-prot'/);
  assert.match(bad.stderr, /--metrics-port: expected an integer, got 'x'/);
});
