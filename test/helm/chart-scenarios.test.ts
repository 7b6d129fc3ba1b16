import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/paths.js';
import { ofKind, renderScenario, type K8sObject } from './helm-cli.js';
import { envOf, find, server, workloads, type PodTemplate } from './manifests.js';

// What each CI scenario (helm/layerscope/ci/<name>-values.yaml) must render.

type Spec = Record<string, unknown>;
const spec = (o: K8sObject): Spec => o.spec ?? {};
const kinds = (objects: readonly K8sObject[]): string[] => [...new Set(objects.map((o) => o.kind))].sort();
const CRD_KINDS = ['AnalysisTemplate', 'HTTPRoute', 'PodMonitor', 'PrometheusRule', 'Rollout', 'ScaledObject', 'ServiceMonitor'];

describe('default values', () => {
  const objects = renderScenario('default');
  test('render a 2-replica Deployment, its Services, PDB, ServiceAccount, ConfigMap and helm test, and no CRD', () => {
    assert.deepEqual(kinds(objects), ['ConfigMap', 'Deployment', 'Pod', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);
    assert.equal(spec(find(objects, 'Deployment', 'demo-layerscope'))['replicas'], 2);
    assert.ok(!objects.some((o) => CRD_KINDS.includes(o.kind)));
  });
  test('serve the baked models on the CPU with one instance per CPU of the limit', () => {
    const [w] = workloads(objects);
    const container = server(w!.template);
    assert.deepEqual(container.args, ['serve', '--model-repository', '/app/models', '--config', '/etc/layerscope/server.json']);
    assert.equal(container.image, 'layerscope:0.1.0');
    const env = envOf(container, (resource) => `<${resource}>`);
    assert.equal(env['LAYERSCOPE_EXECUTION_PROVIDERS'], 'cpu');
    assert.equal(env['LAYERSCOPE_INSTANCE_COUNT'], '<limits.cpu>');
    assert.equal(env['LAYERSCOPE_INTRA_OP_THREADS'], '1');
    assert.equal(env['LAYERSCOPE_REPOSITORY_API'], 'false', 'the load/unload admin API is off in the cluster');
  });
  test('expose http 8000 and metrics 8002 Services', () => {
    const http = find(objects, 'Service', 'demo-layerscope');
    const metrics = find(objects, 'Service', 'demo-layerscope-metrics');
    assert.deepEqual((spec(http)['ports'] as Spec[]).map((p) => [p['name'], p['port'], p['targetPort']]), [['http', 8000, 'http']]);
    assert.deepEqual((spec(metrics)['ports'] as Spec[]).map((p) => [p['name'], p['port'], p['targetPort']]), [['metrics', 8002, 'metrics']]);
  });
  test('keep a PDB of maxUnavailable 1 that lets unhealthy pods be evicted', () => {
    const pdb = spec(find(objects, 'PodDisruptionBudget', 'demo-layerscope'));
    assert.equal(pdb['maxUnavailable'], 1);
    assert.equal(pdb['unhealthyPodEvictionPolicy'], 'AlwaysAllow');
  });
});

describe('hpa', () => {
  const objects = renderScenario('hpa');
  test('scale the Deployment on CPU and on layerscope_pending_requests per pod', () => {
    const hpa = spec(find(objects, 'HorizontalPodAutoscaler', 'demo-layerscope'));
    assert.deepEqual(hpa['scaleTargetRef'], { apiVersion: 'apps/v1', kind: 'Deployment', name: 'demo-layerscope' });
    assert.equal(hpa['minReplicas'], 2);
    assert.equal(hpa['maxReplicas'], 8);
    const metrics = hpa['metrics'] as Spec[];
    assert.deepEqual(metrics.map((m) => m['type']), ['Pods', 'Resource']);
    assert.deepEqual(metrics[0]?.['pods'], { metric: { name: 'layerscope_pending_requests' }, target: { type: 'AverageValue', averageValue: '4' } });
    assert.equal(ofKind(objects, 'ScaledObject').length, 0);
    assert.equal(spec(find(objects, 'Deployment', 'demo-layerscope'))['replicas'], undefined);
  });
});

describe('keda', () => {
  const objects = renderScenario('keda');
  test('scale on the release’s queue depth from Prometheus, with fallback on missing data', () => {
    const so = spec(find(objects, 'ScaledObject', 'demo-layerscope'));
    assert.equal(so['minReplicaCount'], 1);
    const triggers = so['triggers'] as Spec[];
    assert.deepEqual(triggers.map((t) => t['type']), ['prometheus'], 'cpuUtilization: null drops the CPU trigger');
    const meta = triggers[0]?.['metadata'] as Record<string, string>;
    assert.equal(meta['query'], 'sum(layerscope_pending_requests{namespace="ml", app_kubernetes_io_instance="demo"})');
    assert.equal(meta['threshold'], '8');
    assert.equal(meta['ignoreNullValues'], 'false');
    assert.equal(meta['serverAddress'], 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090');
    assert.ok(so['fallback']);
    assert.equal(ofKind(objects, 'HorizontalPodAutoscaler').length, 0);
  });
  test('the PodMonitor adds the labels the KEDA query selects on', () => {
    const pm = find(objects, 'PodMonitor', 'demo-layerscope');
    assert.equal(pm.metadata.labels?.['release'], 'kube-prometheus-stack', 'additionalLabels');
    assert.ok((spec(pm)['podTargetLabels'] as string[]).includes('app.kubernetes.io/instance'));
  });
});

describe('argo', () => {
  const objects = renderScenario('argo');
  const rollout = find(objects, 'Rollout', 'demo-layerscope');
  const canary = (spec(rollout)['strategy'] as { canary: Spec }).canary;
  test('render a Rollout instead of a Deployment, sharing the pod template', () => {
    assert.equal(ofKind(objects, 'Deployment').length, 0);
    const plain = workloads(renderScenario('default'))[0]!.template;
    const argo = (spec(rollout)['template'] as PodTemplate);
    const strip = (t: PodTemplate): unknown => ({ ...t.spec, topologySpreadConstraints: undefined });
    assert.deepEqual(strip(argo), strip(plain), 'same pod spec apart from the topology spread hash key');
    assert.equal(spec(rollout)['replicas'], undefined, 'KEDA owns replicas');
    assert.equal((spec(find(objects, 'ScaledObject', 'demo-layerscope'))['scaleTargetRef'] as Spec)['kind'], 'Rollout');
  });
  test('route canary traffic through the Gateway API plugin with stable and canary Services', () => {
    assert.equal(canary['stableService'], 'demo-layerscope-stable');
    assert.equal(canary['canaryService'], 'demo-layerscope-canary');
    find(objects, 'Service', 'demo-layerscope-stable');
    find(objects, 'Service', 'demo-layerscope-canary');
    const plugin = (canary['trafficRouting'] as { plugins: Record<string, Spec> }).plugins['argoproj-labs/gatewayAPI'];
    assert.deepEqual(plugin, { httpRoute: 'demo-layerscope', namespace: 'ml' });
    const route = spec(find(objects, 'HTTPRoute', 'demo-layerscope'));
    const backends = (route['rules'] as { backendRefs: Spec[] }[])[0]?.backendRefs ?? [];
    assert.deepEqual(backends, [
      { name: 'demo-layerscope-stable', port: 8000 },
      { name: 'demo-layerscope-canary', port: 8000 },
    ], 'no weights: the plugin owns them');
    assert.ok((canary['steps'] as Spec[]).some((s) => 'setCanaryScale' in s));
  });
  test('gate the canary on an AnalysisTemplate with the arguments the Rollout passes', () => {
    const template = find(objects, 'AnalysisTemplate', 'demo-layerscope-canary');
    const analysis = canary['analysis'] as { templates: { templateName: string }[]; args: { name: string }[] };
    assert.equal(analysis.templates[0]?.templateName, template.metadata.name);
    const declared = (spec(template)['args'] as { name: string }[]).map((a) => a.name).sort();
    assert.deepEqual(analysis.args.map((a) => a.name).sort(), declared);
    const metrics = spec(template)['metrics'] as { name: string; successCondition: string; failureCondition: string; provider: { prometheus: { query: string } } }[];
    assert.deepEqual(metrics.map((m) => m.name), ['error-ratio', 'p95-latency', 'activation-drift']);
    for (const m of metrics) {
      // Helm must leave Argo's own placeholders intact.
      assert.match(m.provider.prometheus.query, /rollouts_pod_template_hash="\{\{args\.canary-hash\}\}"/, m.name);
      assert.match(m.provider.prometheus.query, /namespace="\{\{args\.namespace\}\}", app_kubernetes_io_instance="\{\{args\.instance\}\}"/, m.name);
      assert.match(m.successCondition, /^len\(result\) > 0 && /, `${m.name}: an empty result is inconclusive, not an error`);
    }
    assert.match(metrics[0]!.successCondition, /result\[0\] <= 0\.005"?$/);
    assert.match(metrics[1]!.failureCondition, /result\[0\] > 0\.25$/);
    assert.match(metrics[2]!.provider.prometheus.query, /layerscope_model_drift_score/);
  });
});

describe('argo without a traffic router', () => {
  const objects = renderScenario('argo-basic');
  test('drop setCanaryScale steps and trafficRouting, keep fixed replicas', () => {
    const rollout = spec(find(objects, 'Rollout', 'demo-layerscope'));
    const canary = (rollout['strategy'] as { canary: Spec }).canary;
    assert.equal(canary['trafficRouting'], undefined);
    assert.ok(!(canary['steps'] as Spec[]).some((s) => 'setCanaryScale' in s));
    assert.equal(rollout['replicas'], 4);
    assert.equal(ofKind(objects, 'HTTPRoute').length, 0);
  });
  test('scrape through a ServiceMonitor on the metrics Service only', () => {
    const sm = spec(find(objects, 'ServiceMonitor', 'demo-layerscope'));
    assert.deepEqual((sm['selector'] as Spec)['matchLabels'], { 'app.kubernetes.io/name': 'layerscope', 'app.kubernetes.io/instance': 'demo', 'app.kubernetes.io/component': 'metrics' });
    const selected = ofKind(objects, 'Service').filter((s) => s.metadata.labels?.['app.kubernetes.io/component'] === 'metrics');
    assert.deepEqual(selected.map((s) => s.metadata.name), ['demo-layerscope-metrics']);
  });
});

describe('gateway-weights', () => {
  const objects = renderScenario('gateway-weights');
  test('render a stable and a canary Deployment selected by track', () => {
    const stable = find(objects, 'Deployment', 'demo-layerscope-stable');
    const canary = find(objects, 'Deployment', 'demo-layerscope-canary');
    assert.equal(spec(stable)['replicas'], undefined, 'the HPA owns the stable replicas');
    assert.equal(spec(canary)['replicas'], 1);
    assert.equal(server((spec(canary)['template'] as PodTemplate)).image, 'layerscope:0.2.0-rc.1');
    assert.equal(server((spec(stable)['template'] as PodTemplate)).image, 'layerscope:0.1.0');
    assert.equal(((spec(find(objects, 'Service', 'demo-layerscope-canary'))['selector']) as Record<string, string>)['layerscope.io/track'], 'canary');
    assert.equal(((spec(find(objects, 'HorizontalPodAutoscaler', 'demo-layerscope'))['scaleTargetRef']) as Spec)['name'], 'demo-layerscope-stable');
  });
  test('split the route 80/20 with weighted backendRefs', () => {
    const route = spec(find(objects, 'HTTPRoute', 'demo-layerscope'));
    assert.deepEqual((route['parentRefs'] as Spec[])[0], { name: 'public', namespace: 'gateways', sectionName: 'https' });
    const backends = (route['rules'] as { backendRefs: Spec[] }[])[0]?.backendRefs ?? [];
    assert.deepEqual(backends, [
      { name: 'demo-layerscope-stable', port: 8000, weight: 80 },
      { name: 'demo-layerscope-canary', port: 8000, weight: 20 },
    ]);
  });
});

describe('gpu', () => {
  const objects = renderScenario('gpu');
  test('request a GPU, run the CUDA image with the CUDA provider first, and land on GPU nodes', () => {
    const [w] = workloads(objects);
    const container = server(w!.template);
    assert.equal(container.resources?.limits?.['nvidia.com/gpu'], 1);
    assert.equal(container.image, 'layerscope:0.1.0-cuda');
    assert.equal(envOf(container)['LAYERSCOPE_EXECUTION_PROVIDERS'], 'cuda,cpu');
    assert.equal(envOf(container)['LAYERSCOPE_INSTANCE_COUNT'], '1');
    assert.equal(envOf(container)['LAYERSCOPE_INTRA_OP_THREADS'], '4');
    assert.equal(w!.template.spec.runtimeClassName, 'nvidia');
    assert.deepEqual(w!.template.spec.nodeSelector, { 'nvidia.com/gpu.present': 'true' });
    assert.equal(w!.template.spec.tolerations?.length, 1);
  });
  test('render no PDB for a single replica (it would block node drains)', () => {
    assert.equal(ofKind(objects, 'PodDisruptionBudget').length, 0);
  });
});

describe('pvc', () => {
  const objects = renderScenario('pvc');
  const [w] = workloads(objects);
  const container = server(w!.template);
  test('mount the model repository read-only from the claim and serve it', () => {
    const volume = w!.template.spec.volumes?.find((v) => v.name === 'models');
    assert.deepEqual(volume?.persistentVolumeClaim, { claimName: 'model-store', readOnly: true });
    assert.deepEqual(container.volumeMounts?.find((m) => m.name === 'models'), { name: 'models', mountPath: '/models', readOnly: true, subPath: 'layerscope' });
    assert.equal(container.args?.[2], '/models');
  });
  test('overlay config.json of a model from the ConfigMap and write server.json', () => {
    assert.deepEqual(container.volumeMounts?.find((m) => m.mountPath === '/models/digits-cnn/config.json'), { name: 'config', mountPath: '/models/digits-cnn/config.json', subPath: 'model-digits-cnn.json', readOnly: true });
    const data = find(objects, 'ConfigMap', 'demo-layerscope').data ?? {};
    assert.deepEqual(JSON.parse(data['model-digits-cnn.json'] ?? ''), { max_batch_size: 32, dynamic_batching: { max_queue_delay_microseconds: 500 } });
    assert.deepEqual(JSON.parse(data['server.json'] ?? ''), { http: { bodyLimitBytes: 16777216 } });
  });
  test('give the pod the configured termination grace period', () => {
    assert.equal(w!.template.spec.terminationGracePeriodSeconds, 90);
    assert.equal(envOf(container)['LAYERSCOPE_GRACE_PERIOD_MS'], '60000');
  });
});

describe('download', () => {
  const objects = renderScenario('download');
  test('fetch the models in a restricted initContainer into an emptyDir', () => {
    const [w] = workloads(objects);
    const init = w!.template.spec.initContainers?.[0];
    assert.equal(init?.name, 'fetch-models');
    assert.deepEqual(init?.command, ['node', '/etc/layerscope/fetch-models.mjs']);
    const env = envOf(init!);
    assert.equal(env['MODEL_URL'], 'https://models.example.com/layerscope/models-1.tar.gz');
    assert.equal(env['MODEL_DIR'], '/models');
    assert.ok(w!.template.spec.volumes?.find((v) => v.name === 'models')?.emptyDir);
    const script = find(objects, 'ConfigMap', 'demo-layerscope').data?.['fetch-models.mjs'];
    assert.equal(script, readFileSync(join(REPO_ROOT, 'helm/layerscope/files/fetch-models.mjs'), 'utf8'));
  });
  test('allow DNS and the listed egress, and inference only from the gateway namespace', () => {
    const np = spec(find(objects, 'NetworkPolicy', 'demo-layerscope'));
    assert.deepEqual(np['policyTypes'], ['Ingress', 'Egress']);
    const egress = np['egress'] as Spec[];
    assert.deepEqual((egress[0]?.['ports'] as Spec[]).map((p) => p['port']), [53, 53]);
    const ingress = np['ingress'] as Spec[];
    assert.deepEqual(ingress[0]?.['from'], [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } } }]);
  });
});

describe('monitoring', () => {
  const objects = renderScenario('monitoring');
  test('render the PrometheusRule from deploy/prometheus/rules verbatim', () => {
    const rule = find(objects, 'PrometheusRule', 'demo-layerscope');
    assert.equal(rule.metadata.labels?.['release'], 'kube-prometheus-stack');
    const expected: unknown[] = [];
    for (const file of ['layerscope-alerts.rules.yaml', 'layerscope-recording.rules.yaml']) {
      expected.push(...(parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/rules', file), 'utf8')) as { groups: unknown[] }).groups);
    }
    assert.deepEqual(spec(rule)['groups'], expected);
  });
  test('ship every dashboard as a ConfigMap for the Grafana sidecar', () => {
    const maps = ofKind(objects, 'ConfigMap').filter((c) => c.metadata.labels?.['grafana_dashboard'] === '1');
    assert.deepEqual(maps.map((m) => Object.keys(m.data ?? {})[0]).sort(), ['model-internals.json', 'oncall.json', 'overview.json']);
    for (const map of maps) {
      const [file, text] = Object.entries(map.data ?? {})[0]!;
      assert.equal(map.metadata.annotations?.['grafana_folder'], 'layerscope');
      assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/grafana', file), 'utf8')), `${file} differs from deploy/grafana`);
    }
  });
  test('let the helm test pod through the NetworkPolicy', () => {
    const np = spec(find(objects, 'NetworkPolicy', 'demo-layerscope'));
    const ingress = np['ingress'] as { from?: { podSelector?: { matchLabels: Record<string, string> } }[] }[];
    const testPod = ofKind(objects, 'Pod')[0]!;
    assert.ok(ingress.some((rule) => rule.from?.some((peer) => peer.podSelector && Object.entries(peer.podSelector.matchLabels).every(([k, v]) => testPod.metadata.labels?.[k] === v))));
  });
});
