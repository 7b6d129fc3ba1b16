import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/paths.js';
import { renderScenario } from './helm-cli.js';
import { find } from './manifests.js';

// The rules as the Prometheus Operator receives them: extracted from the rendered PrometheusRule,
// checked with promtool and run against the same unit tests as deploy/prometheus/rules.

const work = mkdtempSync(join(tmpdir(), 'layerscope-rendered-rules-'));
after(() => rmSync(work, { recursive: true, force: true }));

function promtool(args: string[]): { status: number; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`promtool not runnable (Debian package prometheus): ${result.error.message}`);
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

test('promtool checks the rules extracted from the rendered PrometheusRule and their unit tests pass', () => {
  const rule = find(renderScenario('monitoring'), 'PrometheusRule', 'demo-layerscope');
  const rulesFile = join(work, 'rendered.rules.yaml');
  writeFileSync(rulesFile, stringify({ groups: rule.spec?.['groups'] }));
  const check = promtool(['check', 'rules', rulesFile]);
  assert.equal(check.status, 0, check.output);

  const testsDir = join(REPO_ROOT, 'deploy/prometheus/tests');
  for (const name of readdirSync(testsDir).filter((f) => f.endsWith('.test.yaml'))) {
    const suite = parse(readFileSync(join(testsDir, name), 'utf8')) as { rule_files: string[] };
    suite.rule_files = [rulesFile];
    const testFile = join(work, name);
    writeFileSync(testFile, stringify(suite));
    const run = promtool(['test', 'rules', testFile]);
    assert.equal(run.status, 0, run.output);
  }
});
