import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SHIPPED_MODELS } from '../helpers/golden.js';
import { REPO_ROOT } from '../helpers/paths.js';
import {
  assertPythonTool,
  describeRun,
  PERF_ANALYZER,
  runTool,
  skipWithoutPythonTool,
  VENV_PYTHON,
  type ToolRun,
} from '../helpers/python-env.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { createTempRepo, type TempRepo } from '../helpers/temp-repo.js';

// Conformance with NVIDIA's real clients (issue 3, item 4): tritonclient.http (Python) and
// perf_analyzer (the Triton C++ HTTP client), against the real server process. Both come from
// `.venv/`, made by scripts/setup-python-env.sh (run by .ci/run before npm test). Locally the tests
// skip, naming that command, when it has not been run; under CI=true they fail instead.

const SCRIPT = join(REPO_ROOT, 'test', 'conformance', 'test_tritonclient.py');
const skipPython = skipWithoutPythonTool('python');
const skipPerfAnalyzer = skipWithoutPythonTool('perf_analyzer');

/** perf_analyzer's summary, e.g. `Throughput: 3313.11 infer/sec` and the server-side section. */
function assertPerfAnalyzerRun(run: ToolRun, extensions: readonly string[]): void {
  assert.equal(run.code, 0, describeRun('perf_analyzer', run));
  assert.doesNotMatch(run.output, /error|failed/i, describeRun('perf_analyzer printed an error', run));
  const throughput = /Throughput: ([0-9.]+) infer\/sec/.exec(run.output);
  assert.ok(throughput, describeRun('perf_analyzer printed no throughput line', run));
  assert.ok(Number(throughput[1]) > 0, describeRun('perf_analyzer measured zero throughput', run));
  if (extensions.includes('statistics')) {
    // PA read /stats around each window; it found the version whose queue.count grew (reference §5).
    const served = /Successful request count: (\d+)/.exec(run.output);
    assert.ok(served && Number(served[1]) > 0, describeRun('perf_analyzer printed no server-side statistics', run));
  }
}

describe('NVIDIA clients (tritonclient.http, perf_analyzer) against the real server', () => {
  let repo: TempRepo | undefined;
  let server: ServerProcess | undefined;
  let extensions: string[] = [];

  before(async () => {
    if (skipPython !== false && skipPerfAnalyzer !== false) return;
    // A private copy: the Python script unloads and reloads a model, which must not disturb other
    // test files running in parallel against models/.
    repo = createTempRepo();
    for (const model of SHIPPED_MODELS) repo.copyShipped(model);
    // --repository-api: load/unload are part of what the script checks (on by default; stated here).
    server = await startServerProcess(['--model-repository', repo.dir, '--repository-api']);
    const metadata = (await (await fetch(`${server.url}/v2`)).json()) as { extensions?: string[] };
    extensions = metadata.extensions ?? [];
  });
  after(async () => {
    if (server) assert.equal(await server.stop(), 0);
    repo?.remove();
  });

  test('tritonclient.http: every advertised method, compared with onnxruntime (test_tritonclient.py)', { skip: skipPython, timeout: 90_000 }, async () => {
    assertPythonTool('python');
    const run = await runTool(VENV_PYTHON, [SCRIPT, '--url', `127.0.0.1:${server!.port}`, '--models', repo!.dir], 80_000);
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(run.output);
    assert.equal(run.code, 0, describeRun('test_tritonclient.py', run));
    assert.ok(summary, describeRun('test_tritonclient.py printed no "N passed, M failed" line', run));
    assert.equal(summary[2], '0', describeRun('test_tritonclient.py', run));
    assert.ok(Number(summary[1]) >= 60, describeRun(`test_tritonclient.py ran only ${summary[1]} checks`, run));
    // Started with --repository-api, so unload/load must have run rather than been skipped.
    assert.match(run.output, /^PASS unload_model \+ load_model/m, describeRun('test_tritonclient.py did not pass unload/load', run));
  });

  // Short runs: count windows of 200 requests, and a lenient stability threshold, since this is a
  // protocol smoke test on a 2-core machine shared with other test files, not a benchmark.
  const window = ['--measurement-mode', 'count_windows', '--measurement-request-count', '200', '--stability-percentage', '100', '--max-trials', '20'];

  test('perf_analyzer: digits-cnn, sync, concurrency 4, batch 1, binary tensors', { skip: skipPerfAnalyzer, timeout: 60_000 }, async () => {
    assertPythonTool('perf_analyzer');
    const run = await runTool(
      PERF_ANALYZER,
      ['-m', 'digits-cnn', '-u', `127.0.0.1:${server!.port}`, '-i', 'http', '-b', '1', '--concurrency-range', '4', ...window],
      50_000,
    );
    assertPerfAnalyzerRun(run, extensions);
    assert.match(run.output, /Concurrency: 4, throughput: [0-9.]+ infer\/sec/, describeRun('perf_analyzer summary line', run));
  });

  test('perf_analyzer: breast-cancer-mlp, async (request ids), concurrency 8, batch 4, JSON tensors', { skip: skipPerfAnalyzer, timeout: 60_000 }, async () => {
    assertPythonTool('perf_analyzer');
    const run = await runTool(
      PERF_ANALYZER,
      [
        '-m', 'breast-cancer-mlp', '-u', `127.0.0.1:${server!.port}`, '-i', 'http', '-b', '4', '--async', '--concurrency-range', '8',
        '--input-tensor-format', 'json', '--output-tensor-format', 'json', ...window,
      ],
      50_000,
    );
    assertPerfAnalyzerRun(run, extensions);
    assert.match(run.output, /Batch size: 4/, describeRun('perf_analyzer batch size', run));
  });
});
