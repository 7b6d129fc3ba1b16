import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MODELS_DIR, REPO_ROOT } from '../helpers/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { renderChart, ofKind } from './helm-cli.js';
import { envOf, type PodSpec } from './manifests.js';

// The scripts the chart runs in the cluster, run here against the real server: the `helm test`
// pod (readiness, one inference, /metrics) and the model-download initContainer.

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the helm test pod against a real server', () => {
  let serverProcess: ServerProcess;
  let metricsPort = 0;
  const pod = ofKind(renderChart(), 'Pod')[0]!;
  const container = (pod.spec as unknown as PodSpec).containers[0]!;

  before(async () => {
    serverProcess = await startServerProcess(['--model-repository', MODELS_DIR]);
    metricsPort = serverProcess.metricsPort;
  });
  after(async () => {
    await serverProcess.stop();
  });

  const localEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
    ...envOf(container),
    LAYERSCOPE_URL: serverProcess.url,
    LAYERSCOPE_METRICS_URL: `http://127.0.0.1:${metricsPort}/metrics`,
    ATTEMPTS: '2',
    ...overrides,
  });

  test('passes: ready, digits-cnn answers the expected class, metrics are served', async () => {
    assert.deepEqual(container.command, ['node', '--input-type=module', '-e']);
    const result = await run(['--input-type=module', '-e', container.args![0]!], localEnv());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ok ready/);
    assert.match(result.stdout, /ok infer digits-cnn/);
    assert.match(result.stdout, /ok metrics/);
  });
  test('fails when the model answers another class', async () => {
    const result = await run(['--input-type=module', '-e', container.args![0]!], localEnv({ INFER_EXPECTED_CLASS: '7' }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /class 2, expected 7/);
  });
  test('fails when the server is unreachable', async () => {
    const result = await run(['--input-type=module', '-e', container.args![0]!], localEnv({ LAYERSCOPE_URL: 'http://127.0.0.1:1', ATTEMPTS: '1' }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /did not answer 200/);
  });
});

describe('the model download initContainer script', () => {
  const script = join(REPO_ROOT, 'helm/layerscope/files/fetch-models.mjs');
  const work = mkdtempSync(join(tmpdir(), 'layerscope-fetch-'));
  const archive = join(work, 'models.tar.gz');
  let http: Server;
  let base = '';

  before(async () => {
    execFileSync('tar', ['-czf', archive, '-C', MODELS_DIR, 'digits-cnn']);
    http = createServer((request, response) => {
      if (request.url === '/models.tar.gz') response.end(readFileSync(archive));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(() => {
    http.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('unpacks a model repository archive and checks its sha256', async () => {
    const dir = join(work, 'ok');
    const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
    const result = await run([script], { MODEL_URL: `${base}/models.tar.gz`, MODEL_DIR: dir, MODEL_SHA256: sha });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(dir, 'digits-cnn/1/model.onnx')));
    assert.deepEqual(readdirSync(dir), ['digits-cnn'], 'no staging folder left behind');
  });
  test('rejects an archive whose sha256 differs and leaves nothing in place', async () => {
    const dir = join(work, 'bad');
    const result = await run([script], { MODEL_URL: `${base}/models.tar.gz`, MODEL_DIR: dir, MODEL_SHA256: 'f'.repeat(64) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /sha256 of .* expected f{64}/);
    assert.deepEqual(readdirSync(dir), []);
  });
  test('fails on a 404 and on a non-http URL', async () => {
    assert.equal((await run([script], { MODEL_URL: `${base}/missing.tar.gz`, MODEL_DIR: join(work, 'missing') })).code, 1);
    const local = await run([script], { MODEL_URL: '/etc/passwd', MODEL_DIR: join(work, 'local') });
    assert.equal(local.code, 1);
    assert.match(local.stderr, /must be an http\(s\) URL/);
  });
});
