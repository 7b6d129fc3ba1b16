import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/paths.js';
import { allPromqlExpressions, ruleExpressions } from '../helpers/promql.js';

// deploy/prometheus: promtool check/test on the rule files, an alert test that fires every alert,
// the local scrape config, and a syntax check of every PromQL expression that ships.

const PROM = join(REPO_ROOT, 'deploy', 'prometheus');
const RULES = join(PROM, 'rules');
const TESTS = join(PROM, 'tests');
const work = mkdtempSync(join(tmpdir(), 'layerscope-promql-'));
after(() => rmSync(work, { recursive: true, force: true }));

function promtool(args: string[], cwd = REPO_ROOT): { status: number; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8', cwd });
  if (result.error) throw new Error(`promtool not runnable (Debian package prometheus): ${result.error.message}`);
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

const ruleFiles = readdirSync(RULES).filter((f) => f.endsWith('.rules.yaml')).sort().map((f) => join(RULES, f));
const testFiles = readdirSync(TESTS).filter((f) => f.endsWith('.test.yaml')).sort().map((f) => join(TESTS, f));

interface UnitTests {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('deploy/prometheus rules', () => {
  test('promtool check rules passes on every rule file', () => {
    assert.ok(ruleFiles.length >= 2);
    const result = promtool(['check', 'rules', ...ruleFiles]);
    assert.equal(result.status, 0, result.output);
  });

  test('promtool test rules passes', () => {
    assert.ok(testFiles.length >= 1);
    const result = promtool(['test', 'rules', ...testFiles]);
    assert.equal(result.status, 0, result.output);
  });

  test('every alert has a unit test that makes it fire, and tests name only real alerts', () => {
    const alerts = ruleExpressions().filter((e) => e.source.includes('alerts')).map((e) => e.location.split('/').pop() ?? '');
    const firing = new Set<string>();
    const tested = new Set<string>();
    for (const file of testFiles) {
      const suite = parse(readFileSync(file, 'utf8')) as UnitTests;
      for (const t of suite.tests) {
        for (const a of t.alert_rule_test ?? []) {
          tested.add(a.alertname);
          if (a.exp_alerts.length > 0) firing.add(a.alertname);
        }
      }
    }
    assert.ok(alerts.length >= 8, `alerts: ${alerts.join(', ')}`);
    assert.deepEqual(alerts.filter((a) => !firing.has(a)), [], 'alerts without a firing test');
    assert.deepEqual([...tested].filter((a) => !alerts.includes(a)), [], 'tests of alerts that do not exist');
  });

  test('the alerts cover the SLOs, saturation, readiness, non-finite activations and drift', () => {
    const alerts = new Set(ruleExpressions().map((e) => e.location.split('/').pop()));
    for (const name of ['LayerscopeErrorBudgetBurnFast', 'LayerscopeErrorBudgetBurnSlow', 'LayerscopeLatencyP95High', 'LayerscopeQueueSaturated', 'LayerscopeModelNotReady', 'LayerscopeNonFiniteActivations', 'LayerscopeActivationDrift']) {
      assert.ok(alerts.has(name), name);
    }
  });

  test('the local scrape config is valid, targets the metrics port and loads the rules', () => {
    const result = promtool(['check', 'config', join(PROM, 'prometheus.yml')]);
    assert.equal(result.status, 0, result.output);
    const config = parse(readFileSync(join(PROM, 'prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const job = config.scrape_configs.find((s) => s.job_name === 'layerscope');
    assert.deepEqual(job?.static_configs[0]?.targets, ['localhost:8002']);
    assert.deepEqual(config.rule_files, ['rules/*.rules.yaml']);
  });
});

describe('every shipped PromQL expression parses', () => {
  test('dashboards, AnalysisTemplate and rules pass promtool as recording rules', () => {
    const expressions = allPromqlExpressions({ rules: true });
    assert.ok(expressions.length > 50, `only ${expressions.length} expressions`);
    const groups = [{ name: 'syntax', rules: expressions.map((e, i) => ({ record: `layerscope_syntax_check_${i}`, expr: e.expr })) }];
    const file = join(work, 'all.rules.yaml');
    writeFileSync(file, stringify({ groups }));
    const result = promtool(['check', 'rules', file]);
    const failing = [...result.output.matchAll(/group "syntax", rule (\d+)/g)].map((m) => expressions[Number(m[1]) - 1]);
    assert.equal(result.status, 0, `${result.output}\n${JSON.stringify(failing, null, 2)}`);
  });
  test('grafana label variables are used only with =~ (so substituting .* matches everything)', () => {
    for (const file of readdirSync(join(REPO_ROOT, 'deploy/grafana')).filter((f) => f.endsWith('.json'))) {
      const text = readFileSync(join(REPO_ROOT, 'deploy/grafana', file), 'utf8');
      const misuse = [...text.matchAll(/\w+\s*(!=|=(?!~)|!~)\s*\\"\$\{?\w+/g)].map((m) => m[0]);
      assert.deepEqual(misuse, [], file);
    }
  });
});
