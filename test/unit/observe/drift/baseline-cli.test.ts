import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBaseline } from '../../../../src/cli/baseline.js';
import { parseBaseline, type Baseline } from '../../../../src/observe/drift/baseline.js';
import { encodeNpy } from '../../../../src/observe/drift/npy.js';
import { MODELS_DIR } from '../../../helpers/paths.js';
import { createTempRepo, type TempRepo } from '../../../helpers/temp-repo.js';

async function run(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runBaseline(argv, (line) => lines.push(line));
  return { code, lines };
}

function assertSameBaseline(actual: Baseline, expected: Baseline): void {
  assert.deepEqual(Object.keys(actual.layers), Object.keys(expected.layers));
  for (const [name, layer] of Object.entries(expected.layers)) {
    const got = actual.layers[name];
    assert.ok(got);
    assert.equal(got.edges.length, layer.edges.length, name);
    got.edges.forEach((e, i) => assert.ok(Math.abs(e - (layer.edges[i] as number)) <= 1e-4 * Math.max(1, Math.abs(e)), `${name} edge ${i}: ${e}`));
    got.shares.forEach((s, i) => assert.ok(Math.abs(s - (layer.shares[i] as number)) < 1e-3, `${name} share ${i}: ${s}`));
  }
}

describe('layerscope baseline', () => {
  let repo: TempRepo;
  before(() => {
    repo = createTempRepo();
    repo.copyShipped('breast-cancer-mlp');
  });
  after(() => repo.remove());

  const split = (): string => join(repo.dir, 'breast-cancer-mlp', '1', 'golden', 'test-split.json');
  const committed = (): Baseline => parseBaseline(readFileSync(join(MODELS_DIR, 'breast-cancer-mlp', '1', 'baseline.json'), 'utf8'));

  test('records from the test split the baseline.json the model ships with', async () => {
    const { code, lines } = await run(['--model-repository', repo.dir, '--model', 'breast-cancer-mlp', '--data', split()]);
    assert.equal(code, 0, lines.join('\n'));
    const written = parseBaseline(readFileSync(join(repo.dir, 'breast-cancer-mlp', '1', 'baseline.json'), 'utf8'));
    assert.equal(written.rows, 143);
    assert.equal(written.source, 'golden/test-split.json');
    assertSameBaseline(written, committed());
    assert.match(lines.at(-1) ?? '', /wrote .*baseline\.json \(\d+ bytes, 143 rows, 6 layers\)/);
  });

  test('records the same baseline from the same rows in a .npy file', async () => {
    const data = JSON.parse(readFileSync(split(), 'utf8')) as { shape: number[]; data: number[] };
    const npy = join(repo.dir, 'split.npy');
    writeFileSync(npy, encodeNpy({ shape: data.shape, data: Float64Array.from(data.data) }));
    const out = join(repo.dir, 'from-npy.json');
    const { code, lines } = await run(['--model-repository', repo.dir, '--model', 'breast-cancer-mlp', '--version', '1', '--data', npy, '--out', out]);
    assert.equal(code, 0, lines.join('\n'));
    assertSameBaseline(parseBaseline(readFileSync(out, 'utf8')), committed());
  });

  test('records from a V2 inference request body', async () => {
    const out = join(repo.dir, 'from-request.json');
    const input = join(repo.dir, 'breast-cancer-mlp', '1', 'golden', 'input.json');
    const { code, lines } = await run(['--model-repository', repo.dir, '--model', 'breast-cancer-mlp', '--data', input, '--out', out]);
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(parseBaseline(readFileSync(out, 'utf8')).rows, 4);
  });

  test('refuses rows that do not fit the model input, naming both shapes', async () => {
    const bad = join(repo.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }));
    const out = join(repo.dir, 'never.json');
    const { code, lines } = await run(['--model-repository', repo.dir, '--model', 'breast-cancer-mlp', '--data', bad, '--out', out]);
    assert.equal(code, 2);
    assert.match(lines.join('\n'), /rows of shape \[3\] do not fit the model's \[batch, 30\]/);
    assert.equal(existsSync(out), false);
  });

  test('refuses a missing flag or an unknown model with the usage line', async () => {
    const missing = await run(['--model-repository', repo.dir, '--model', 'breast-cancer-mlp']);
    assert.equal(missing.code, 2);
    assert.match(missing.lines.join('\n'), /missing --data[\s\S]*usage: layerscope baseline/);
    const unknown = await run(['--model-repository', repo.dir, '--model', 'nope', '--data', split()]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.lines.join('\n'), /model 'nope' not found/);
  });

  test('prints its help and exits 0', async () => {
    const { code, lines } = await run(['--help']);
    assert.equal(code, 0);
    assert.match(lines[0] ?? '', /^usage: layerscope baseline/);
  });
});
