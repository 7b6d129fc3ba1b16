import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import type { Services } from '../../src/compose.js';
import { loadConfig } from '../../src/config/load-config.js';
import { CONFIG_FILE_OPTION, OPTIONS } from '../../src/config/options.js';
import { FAILURE_REASONS, LATENCY_BUCKETS } from '../../src/observe/metrics/serving-metrics.js';
import { modelConfigSchema } from '../../src/repository/model-config.js';
import { composeLoaded } from '../helpers/app.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { analysisTemplateExpressions, dashboardExpressions, metricNames, ruleExpressions } from '../helpers/promql.js';
import { ciScenarios, ofKind, renderChart, renderScenario } from './helm-cli.js';
import { envOf, find, server, workloads } from './manifests.js';

// The chart, rules, dashboards and autoscalers against the real server: its registry (scraped from
// the metrics app), its probe routes and its configuration loader.

/**
 * Metric names that other issues are building now (per-layer observation, drift, memory). They
 * may be referenced before the registry has them; once exported, they are checked like the rest.
 */
const PENDING_METRICS = new Set([
  'layerscope_layer_duration_seconds',
  'layerscope_layer_duration_share',
  'layerscope_layer_activation',
  'layerscope_layer_activation_mean',
  'layerscope_layer_activation_stddev',
  'layerscope_layer_activation_min',
  'layerscope_layer_activation_max',
  'layerscope_layer_zero_fraction',
  'layerscope_layer_nonfinite_total',
  'layerscope_layer_activation_bytes',
  'layerscope_layer_drift_score',
  'layerscope_model_drift_score',
  'layerscope_model_weights_bytes',
  'layerscope_observe_errors_total',
]);

/** The serving metrics' contract (DESIGN.md §3): the registry must export each of them. */
const SERVING_METRICS = [
  'layerscope_request_success_total',
  'layerscope_request_failure_total',
  'layerscope_inference_count_total',
  'layerscope_execution_count_total',
  'layerscope_request_duration_seconds',
  'layerscope_queue_duration_seconds',
  'layerscope_compute_duration_seconds',
  'layerscope_batch_size',
  'layerscope_pending_requests',
  'layerscope_model_load_duration_seconds',
  'layerscope_model_ready',
  'layerscope_execution_provider_info',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_gc_duration_seconds',
];

/** Names a query may use for a family: `x`, and `x_bucket|_sum|_count` for histograms. */
function familyOf(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && (types.get(base) === 'histogram' || types.get(base) === 'summary') ? base : undefined;
}

describe('the chart and the shipped queries against the real server', () => {
  let services: Services;
  let types: Map<string, string>;
  let recorded: Set<string>;

  before(async () => {
    services = await composeLoaded();
    const response = await services.metricsApp!.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    types = new Map([...response.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    recorded = new Set<string>();
    for (const file of ['layerscope-recording.rules.yaml', 'layerscope-alerts.rules.yaml']) {
      const { groups } = parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/rules', file), 'utf8')) as { groups: { rules: { record?: string }[] }[] };
      for (const g of groups) for (const r of g.rules) if (r.record) recorded.add(r.record);
    }
  });
  after(async () => services.shutdown());

  test('the registry exports every serving metric of the contract', () => {
    for (const name of SERVING_METRICS) assert.ok(types.has(name), `${name} is not in the server's /metrics`);
  });

  const sources = (): { where: string; expr: string }[] => {
    const argo = renderScenario('argo');
    const keda = renderScenario('keda');
    const hpa = renderScenario('hpa');
    const kedaQueries = ofKind(keda, 'ScaledObject').flatMap((so) => ((so.spec?.['triggers'] ?? []) as { metadata: { query?: string } }[]).map((t) => t.metadata.query ?? '')).filter(Boolean);
    const hpaPods = ofKind(hpa, 'HorizontalPodAutoscaler').flatMap((h) => ((h.spec?.['metrics'] ?? []) as { pods?: { metric: { name: string } } }[]).flatMap((m) => (m.pods ? [m.pods.metric.name] : [])));
    const adapter = parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus-adapter/values.yaml'), 'utf8')) as { rules: { custom: { seriesQuery: string; name: { as: string } }[] } };
    return [
      ...analysisTemplateExpressions({ objects: argo }).map((e) => ({ where: `AnalysisTemplate ${e.location}`, expr: e.expr })),
      ...kedaQueries.map((expr) => ({ where: 'ScaledObject trigger', expr })),
      ...hpaPods.map((expr) => ({ where: 'HPA Pods metric', expr })),
      ...adapter.rules.custom.flatMap((r) => [{ where: 'prometheus-adapter seriesQuery', expr: r.seriesQuery }, { where: 'prometheus-adapter name', expr: r.name.as }]),
      ...ruleExpressions().map((e) => ({ where: `${e.source} ${e.location}`, expr: e.expr })),
      ...dashboardExpressions().map((e) => ({ where: `${e.source} ${e.location}`, expr: e.expr })),
    ];
  };

  test('every query reads metrics the server exports (or that are being built), or recorded series', () => {
    const unknown: string[] = [];
    for (const { where, expr } of sources()) {
      for (const name of metricNames(expr)) {
        if (name === 'ALERTS' || recorded.has(name)) continue;
        const family = familyOf(name, types) ?? (PENDING_METRICS.has(name.replace(/_(bucket|sum|count)$/, '')) ? name : undefined);
        if (!family) unknown.push(`${where}: ${name}`);
      }
    }
    assert.deepEqual(unknown, []);
  });

  test('the autoscalers and the canary analysis use the queue gauge, error counters, latency histogram and drift score', () => {
    const all = sources();
    const names = (prefix: string): string[] => all.filter((s) => s.where.startsWith(prefix)).flatMap((s) => metricNames(s.expr));
    assert.deepEqual(names('ScaledObject'), ['layerscope_pending_requests']);
    assert.deepEqual(names('HPA'), ['layerscope_pending_requests']);
    assert.equal(types.get('layerscope_pending_requests'), 'gauge');
    assert.deepEqual(new Set(names('AnalysisTemplate')), new Set(['layerscope_request_failure_total', 'layerscope_request_success_total', 'layerscope_request_duration_seconds_bucket', 'layerscope_model_drift_score']));
  });

  test('failure reasons and the 0.5 s bucket the rules rely on exist in the server', () => {
    for (const { expr } of sources()) {
      for (const m of expr.matchAll(/reason=~"([^"]+)"/g)) for (const reason of m[1]!.split('|')) assert.ok((FAILURE_REASONS as readonly string[]).includes(reason), `unknown reason ${reason}`);
    }
    assert.ok(LATENCY_BUCKETS.includes(0.5), 'layerscope_request_duration_seconds has an le="0.5" bucket');
  });

  test('the probes hit routes the server answers 200 on once loaded', async () => {
    const [w] = workloads(renderScenario('default'));
    const c = server(w!.template);
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      const path = probe?.httpGet?.path ?? '';
      const response = await services.app.inject({ method: 'GET', url: path });
      assert.equal(response.statusCode, 200, `${path} answered ${response.statusCode}`);
    }
  });

  test('the helm test inference body is the first golden digits-cnn row with its label', () => {
    const values = parse(readFileSync(join(REPO_ROOT, 'helm/layerscope/values.yaml'), 'utf8')) as { tests: { inference: { body: string; model: string; expectedClass: number } } };
    const golden = JSON.parse(readFileSync(join(REPO_ROOT, `models/${values.tests.inference.model}/1/golden/input.json`), 'utf8')) as { inputs: { data: number[] }[] };
    const labels = JSON.parse(readFileSync(join(REPO_ROOT, `models/${values.tests.inference.model}/1/golden/labels.json`), 'utf8')) as { labels: number[] };
    const body = JSON.parse(values.tests.inference.body) as { inputs: { data: number[] }[] };
    assert.deepEqual(body.inputs[0]?.data, golden.inputs[0]?.data.slice(0, 64));
    assert.equal(values.tests.inference.expectedClass, labels.labels[0]);
  });
});

describe('the server accepts the configuration every scenario renders', () => {
  const known = new Set([...OPTIONS.map((o) => o.env), CONFIG_FILE_OPTION.env]);
  for (const [name, file] of ciScenarios()) {
    test(`${name}: args, LAYERSCOPE_* env and server.json load`, () => {
      const objects = renderChart({ valuesFiles: [file] });
      const serverJson = find(objects, 'ConfigMap', 'demo-layerscope').data?.['server.json'] ?? '';
      for (const { template } of workloads(objects)) {
        const container = server(template);
        const env = envOf(container, () => '2');
        for (const key of Object.keys(env).filter((k) => k.startsWith('LAYERSCOPE_'))) assert.ok(known.has(key), `${key} is not a server option`);
        const [command, ...argv] = container.args ?? [];
        assert.equal(command, 'serve');
        const config = loadConfig({ argv, env, readFile: () => serverJson });
        assert.equal(config.http.port, 8000);
        assert.equal(config.metrics.port, 8002);
        assert.equal(config.metrics.enabled, true);
        assert.equal(config.shutdown.gracePeriodMs, Number(env['LAYERSCOPE_GRACE_PERIOD_MS']));
        assert.equal(config.modelRepository, argv[1]);
      }
      // Per-model config.json overrides must be valid model configs (unknown fields are errors).
      for (const [key, text] of Object.entries(find(objects, 'ConfigMap', 'demo-layerscope').data ?? {})) {
        if (key.startsWith('model-')) assert.doesNotThrow(() => modelConfigSchema.parse(JSON.parse(text)), key);
      }
    });
  }
});
