import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';

// No Docker engine runs in CI, so the Dockerfile is checked as text: the stages, what the runtime
// stage copies and from where, the user, ports, entry point and the CUDA variant.

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly name: string;
  readonly from: string;
  readonly instructions: Instruction[];
}

/** Split a Dockerfile into stages of instructions (comments dropped, continuations joined). */
function parseDockerfile(text: string): { globalArgs: Instruction[]; stages: Stage[] } {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, op = '', args = ''] = /^(\w+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') };
    if (instruction.op === 'FROM') {
      const [, from = '', name = ''] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(instruction.args) ?? [];
      stages.push({ name, from, instructions: [] });
    } else if (stages.length === 0) globalArgs.push(instruction);
    else stages[stages.length - 1]!.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
const { globalArgs, stages } = parseDockerfile(dockerfile);
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const argDefault = (name: string): string | undefined => globalArgs.find((a) => a.args.startsWith(`${name}=`))?.args.slice(name.length + 1);
const runtime = stages[stages.length - 1]!;
const ops = (s: Stage, op: string): string[] => s.instructions.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  test('is multi-stage on Node 20 Debian slim, and the runtime stage is the last one', () => {
    assert.equal(argDefault('NODE_IMAGE'), 'node:20-bookworm-slim');
    assert.equal(stage('build').from, '${NODE_IMAGE}');
    assert.equal(stage('base-cpu').from, '${NODE_IMAGE}');
    assert.equal(runtime.name, 'runtime');
    assert.equal(runtime.from, 'base-${VARIANT}');
    assert.equal(argDefault('VARIANT'), 'cpu', 'CPU by default');
  });

  test('compiles with dev dependencies in the build stage only', () => {
    const build = ops(stage('build'), 'RUN').join('\n');
    assert.match(build, /npm ci --ignore-scripts/);
    assert.match(build, /tsc -p tsconfig\.json/);
  });

  test('installs production dependencies with npm ci --omit=dev --ignore-scripts', () => {
    const deps = ops(stage('prod-deps'), 'RUN').join('\n');
    assert.match(deps, /npm ci --omit=dev --ignore-scripts/);
    assert.match(deps, /find "\$ort" -mindepth 2 -maxdepth 2 ! -path "\$ort\/linux\/\$arch" -exec rm -rf/, 'keeps only this platform\'s onnxruntime binaries');
    assert.deepEqual(ops(stage('prod-deps'), 'COPY'), ['package.json package-lock.json .npmrc ./'], 'the lockfile and .npmrc (onnxruntime-node-install=skip) only');
  });

  test('copies no dev dependencies, and nothing but dist, bin, models and package.json into the runtime', () => {
    const copies = ops(runtime, 'COPY');
    assert.deepEqual(copies, [
      'package.json ./',
      '--from=prod-deps /app/node_modules ./node_modules',
      '--from=build /src/dist/src ./dist/src',
      'bin ./bin',
      '${MODEL_REPOSITORY} ./models',
    ]);
    assert.ok(!copies.some((c) => c.startsWith('--from=build') && c.includes('node_modules')), 'node_modules of the build stage hold dev dependencies');
    assert.ok(!ops(runtime, 'RUN').some((r) => /npm (ci|install)/.test(r)), 'no npm install in the runtime stage');
  });

  test('bakes the models directory by default', () => {
    assert.ok(ops(runtime, 'ARG').includes('MODEL_REPOSITORY=models'));
  });

  test('runs as a numeric non-root user', () => {
    const users = ops(runtime, 'USER');
    assert.equal(users.length, 1);
    const [uid, gid] = users[0]!.split(':');
    assert.match(uid ?? '', /^[1-9][0-9]*$/, 'numeric, so runAsNonRoot can be verified');
    assert.notEqual(uid, '0');
    assert.notEqual(gid, '0');
    const last = runtime.instructions.findLastIndex((i) => i.op === 'USER');
    assert.ok(!runtime.instructions.slice(last).some((i) => i.op === 'RUN'), 'nothing runs as root after USER');
  });

  test('exposes 8000 and 8002 and has no HEALTHCHECK', () => {
    assert.deepEqual(ops(runtime, 'EXPOSE').join(' ').split(' ').sort(), ['8000', '8002']);
    assert.ok(!/^\s*HEALTHCHECK/im.test(dockerfile), 'Kubernetes probes, not HEALTHCHECK');
  });

  test('starts bin/layerscope.js serve on the baked models (exec form)', () => {
    const entrypoint = JSON.parse(ops(runtime, 'ENTRYPOINT')[0] ?? 'null') as string[];
    const cmd = JSON.parse(ops(runtime, 'CMD')[0] ?? 'null') as string[];
    assert.deepEqual(entrypoint, ['node', '/app/bin/layerscope.js']);
    assert.deepEqual(cmd, ['serve', '--model-repository', '/app/models']);
  });

  test('the chart serves the baked models from the path the image uses', () => {
    const helpers = readFileSync(join(REPO_ROOT, 'helm/layerscope/templates/_helpers.tpl'), 'utf8');
    assert.match(helpers, /if eq \.Values\.model\.source "image" }}\/app\/models/);
    const values = readFileSync(join(REPO_ROOT, 'helm/layerscope/values.yaml'), 'utf8');
    assert.match(values, /runAsUser: 10001/, 'chart UID matches the image user');
  });

  test('the cuda variant uses an NVIDIA CUDA runtime base with Node 20 and installs the CUDA provider', () => {
    assert.match(argDefault('CUDA_IMAGE') ?? '', /^nvidia\/cuda:12\.[0-9.]+-cudnn-runtime-/);
    const cuda = stage('base-cuda');
    assert.equal(cuda.from, '${CUDA_IMAGE}');
    assert.ok(ops(cuda, 'COPY').includes('--from=node /usr/local/bin/node /usr/local/bin/node'));
    assert.equal(stage('node').from, '${NODE_IMAGE}');
    assert.match(ops(stage('prod-deps'), 'RUN').join('\n'), /if \[ "\$VARIANT" = "cuda" \]; then ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12/);
  });

  test('.dockerignore keeps node_modules, dist, tests and VCS data out of the context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split(/\r?\n/).map((l) => l.trim());
    for (const path of ['node_modules', 'dist', '.git', 'test', '.venv', 'models/build']) assert.ok(ignored.includes(path), path);
    for (const path of ['src', 'bin', 'models', 'package.json', 'package-lock.json', '.npmrc', 'tsconfig.json']) assert.ok(!ignored.includes(path), `${path} is needed by the build`);
  });
});
