import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ciScenarios, helm, renderChart, CHART_DIR, KUBE_VERSION, type K8sObject } from './helm-cli.js';
import { validateObject } from './k8s-schemas.js';
import { envOf, podSpecs, selects, server, workloads, type PodSpec } from './manifests.js';

// Every CI values file (helm/layerscope/ci/*-values.yaml): lint --strict, render, validate each
// object against the Kubernetes/CRD schemas, and check the chart's invariants.

const WORKLOAD_KINDS = new Set(['Deployment', 'Rollout']);

function checkRestrictedPodSecurity(owner: string, spec: PodSpec): void {
  const pod = spec.securityContext ?? {};
  assert.equal(pod['runAsNonRoot'], true, `${owner}: pod runAsNonRoot`);
  assert.ok(typeof pod['runAsUser'] === 'number' && pod['runAsUser'] > 0, `${owner}: pod runs as a non-zero UID`);
  assert.equal((pod['seccompProfile'] as { type?: string } | undefined)?.type, 'RuntimeDefault', `${owner}: seccomp RuntimeDefault`);
  assert.equal(spec.automountServiceAccountToken, false, `${owner}: no service account token`);
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    assert.equal(sc['allowPrivilegeEscalation'], false, `${owner}/${c.name}: allowPrivilegeEscalation false`);
    assert.equal(sc['readOnlyRootFilesystem'], true, `${owner}/${c.name}: read-only root filesystem`);
    assert.deepEqual((sc['capabilities'] as { drop?: string[] } | undefined)?.drop, ['ALL'], `${owner}/${c.name}: drops ALL capabilities`);
    assert.ok(!sc['privileged'], `${owner}/${c.name}: not privileged`);
  }
}

function checkServerPod(owner: string, spec: PodSpec): void {
  const container = spec.containers.find((c) => c.name === 'layerscope');
  assert.ok(container, `${owner}: has the layerscope container`);
  assert.deepEqual(
    (container.ports ?? []).map((p) => [p.name, p.containerPort]),
    [
      ['http', 8000],
      ['metrics', 8002],
    ],
    `${owner}: ports`,
  );
  assert.deepEqual(container.startupProbe?.httpGet, { path: '/v2/health/ready', port: 'http' }, `${owner}: startup probe`);
  assert.deepEqual(container.readinessProbe?.httpGet, { path: '/v2/health/ready', port: 'http' }, `${owner}: readiness probe`);
  assert.deepEqual(container.livenessProbe?.httpGet, { path: '/v2/health/live', port: 'http' }, `${owner}: liveness probe`);
  assert.equal(container.args?.[0], 'serve', `${owner}: runs serve`);
  // /tmp is the only writable path with a read-only root filesystem.
  const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
  assert.ok(tmp, `${owner}: /tmp mounted`);
  assert.ok(spec.volumes?.find((v) => v.name === tmp.name)?.emptyDir !== undefined, `${owner}: /tmp is an emptyDir`);
  // The pod must outlive the preStop sleep plus the server's drain (LAYERSCOPE_GRACE_PERIOD_MS).
  const graceMs = Number(envOf(container)['LAYERSCOPE_GRACE_PERIOD_MS']);
  const preStop = container.lifecycle?.preStop?.exec?.command;
  assert.equal(preStop?.[0], 'sleep', `${owner}: preStop sleeps`);
  const budget = graceMs / 1000 + Number(preStop?.[1]);
  assert.ok((spec.terminationGracePeriodSeconds ?? 30) > budget, `${owner}: terminationGracePeriodSeconds ${spec.terminationGracePeriodSeconds} > grace ${graceMs} ms + preStop ${preStop?.[1]} s`);
}

function checkInvariants(objects: readonly K8sObject[]): void {
  const seen = new Set<string>();
  for (const o of objects) {
    validateObject(o);
    const key = `${o.kind}/${o.metadata.name}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
    assert.ok(o.metadata.name.length <= 63, `${key}: name longer than 63 characters`);
    assert.equal(o.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm', `${key}: managed-by label`);
    assert.equal(o.metadata.labels?.['app.kubernetes.io/instance'], 'demo', `${key}: instance label`);
  }
  for (const { owner, spec } of podSpecs(objects)) checkRestrictedPodSecurity(owner, spec);
  const pods = workloads(objects);
  assert.ok(pods.length > 0, 'renders a workload');
  for (const { object, template } of pods) {
    checkServerPod(`${object.kind}/${object.metadata.name}`, template.spec);
    const selector = (object.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    assert.ok(selects(selector, template.metadata.labels), `${object.metadata.name}: selector matches its pod labels`);
    assert.match(template.metadata.annotations?.['checksum/config'] ?? '', /^[a-f0-9]{64}$/, `${object.metadata.name}: config checksum annotation`);
  }

  // Autoscaling: never an HPA and a ScaledObject together; no replicas on what they scale.
  const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  const scaled = objects.filter((o) => o.kind === 'ScaledObject');
  assert.ok(hpas.length === 0 || scaled.length === 0, 'HPA and ScaledObject together');
  for (const scaler of [...hpas, ...scaled]) {
    const ref = (scaler.spec as { scaleTargetRef: { apiVersion: string; kind: string; name: string } }).scaleTargetRef;
    const target = objects.find((o) => o.kind === ref.kind && o.apiVersion === ref.apiVersion && o.metadata.name === ref.name);
    assert.ok(target && WORKLOAD_KINDS.has(target.kind), `${scaler.kind}: scaleTargetRef ${ref.kind}/${ref.name} exists`);
    assert.equal((target.spec as { replicas?: number }).replicas, undefined, `${ref.kind}/${ref.name}: no replicas while an autoscaler owns them`);
  }

  // Every Service selects pods of a workload; the helm test pod is selected by nothing.
  const testPods = objects.filter((o) => o.kind === 'Pod');
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const selector = (svc.spec as { selector: Record<string, string> }).selector;
    assert.ok(pods.some(({ template }) => selects(selector, template.metadata.labels)), `Service/${svc.metadata.name} selects no workload pod`);
  }
  for (const pod of testPods) {
    for (const o of objects.filter((x) => ['Service', 'PodDisruptionBudget', 'NetworkPolicy', 'PodMonitor'].includes(x.kind))) {
      const spec = o.spec as { selector?: { matchLabels?: Record<string, string> } | Record<string, string>; podSelector?: { matchLabels?: Record<string, string> } };
      const sel = o.kind === 'Service' ? (spec.selector as Record<string, string>) : ((spec.selector as { matchLabels?: Record<string, string> })?.matchLabels ?? spec.podSelector?.matchLabels);
      assert.ok(!selects(sel, pod.metadata.labels ?? {}), `${o.kind}/${o.metadata.name} selects the helm test pod`);
    }
  }
}

describe('helm lint --strict and render, every CI values file', () => {
  test('the chart lints with its defaults', () => {
    const result = helm(['lint', '--strict', CHART_DIR, '--kube-version', KUBE_VERSION]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
  for (const [name, file] of ciScenarios()) {
    test(`${name}: lints, renders valid objects and keeps the chart's invariants`, () => {
      const lint = helm(['lint', '--strict', CHART_DIR, '--kube-version', KUBE_VERSION, '--values', file]);
      assert.equal(lint.status, 0, lint.stdout + lint.stderr);
      checkInvariants(renderChart({ valuesFiles: [file] }));
    });
  }
});

describe('config checksum', () => {
  test('changing the server config changes the pod template checksum', () => {
    const checksum = (objects: K8sObject[]): string | undefined => workloads(objects)[0]?.template.metadata.annotations?.['checksum/config'];
    const before = checksum(renderChart());
    const after = checksum(renderChart({ set: ['server.config.http.bodyLimitBytes=1024'] }));
    assert.notEqual(before, after);
    assert.equal(checksum(renderChart()), before, 'the checksum is stable across renders');
  });
  test('the server container reads the ConfigMap server.json', () => {
    const [deployment] = workloads(renderChart());
    assert.ok(deployment);
    const args = server(deployment.template).args ?? [];
    assert.equal(args[args.indexOf('--config') + 1], '/etc/layerscope/server.json');
  });
});
