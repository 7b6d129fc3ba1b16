import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tryRender } from './helm-cli.js';

// values.schema.json and the templates' own checks reject values that would deploy something
// broken; helm fails before anything reaches the cluster.

const REJECTED: readonly { readonly name: string; readonly set: readonly string[]; readonly error: RegExp }[] = [
  { name: 'an unknown top-level key (a typo)', set: ['replicas=3'], error: /additional properties 'replicas' not allowed/ },
  { name: 'an unknown autoscaling mode', set: ['autoscaling.mode=both'], error: /autoscaling\/mode/ },
  { name: 'an unknown rollout strategy', set: ['rollout.strategy=bluegreen'], error: /rollout\/strategy/ },
  { name: 'an unknown model source', set: ['model.source=s3'], error: /model\/source/ },
  { name: 'model.source=pvc without a claim', set: ['model.source=pvc'], error: /model\/pvc\/claimName/ },
  { name: 'gateway-weights without an HTTPRoute', set: ['rollout.strategy=gateway-weights'], error: /httpRoute\/enabled/ },
  { name: 'a canary weight above 100', set: ['rollout.strategy=gateway-weights', 'httpRoute.enabled=true', 'rollout.canary.weight=150'], error: /rollout\/canary\/weight/ },
  { name: 'privilege escalation', set: ['securityContext.allowPrivilegeEscalation=true'], error: /securityContext\/allowPrivilegeEscalation/ },
  { name: 'running as root', set: ['podSecurityContext.runAsNonRoot=false'], error: /podSecurityContext\/runAsNonRoot/ },
  { name: 'a PodMonitor and a ServiceMonitor together', set: ['monitoring.podMonitor.enabled=true', 'monitoring.serviceMonitor.enabled=true'], error: /'\/monitoring': 'not' failed/ },
  { name: 'a malformed image digest', set: ['image.digest=latest'], error: /image\/digest/ },
  { name: 'a GPU requested by hand in resources', set: ['resources.limits.nvidia\\.com/gpu=1'], error: /'\/resources\/limits': 'not' failed/ },
  { name: 'zero autoscaling minReplicas', set: ['autoscaling.mode=keda', 'autoscaling.minReplicas=0'], error: /autoscaling\/minReplicas/ },
  { name: 'a negative grace period', set: ['server.gracePeriodSeconds=-1'], error: /server\/gracePeriodSeconds/ },
  { name: 'a bad log level', set: ['server.logLevel=verbose'], error: /server\/logLevel/ },
  { name: 'an analysis error ratio above 1', set: ['rollout.strategy=argo', 'rollout.argo.analysis.maxErrorRatio=5'], error: /rollout\/argo\/analysis\/maxErrorRatio/ },
  { name: 'a non-http Prometheus address', set: ['prometheus.address=prometheus:9090'], error: /prometheus\/address/ },
  // Checks in the templates (the schema cannot compare fields):
  { name: 'a termination grace period that does not cover the drain', set: ['server.terminationGracePeriodSeconds=20'], error: /must be larger than server.gracePeriodSeconds \+ server.preStopSleepSeconds \(35\)/ },
  { name: 'minReplicas above maxReplicas', set: ['autoscaling.mode=hpa', 'autoscaling.minReplicas=5', 'autoscaling.maxReplicas=3'], error: /must not exceed autoscaling.maxReplicas/ },
  { name: 'an HPA without any metric', set: ['autoscaling.mode=hpa', 'autoscaling.cpuUtilization=null'], error: /needs autoscaling.cpuUtilization or autoscaling.hpa.pendingRequests/ },
  { name: 'model.source=download without a URL or command', set: ['model.source=download'], error: /needs model.download.url/ },
];

describe('values the chart rejects', () => {
  for (const { name, set, error } of REJECTED) {
    test(`rejects ${name}`, () => {
      const result = tryRender({ set });
      assert.notEqual(result.status, 0, `rendered although it should fail:\n${result.stdout.slice(0, 400)}`);
      assert.match(result.stderr, error);
    });
  }
  test('accepts the same keys with good values', () => {
    const result = tryRender({ set: ['autoscaling.mode=keda', 'autoscaling.minReplicas=1', 'server.terminationGracePeriodSeconds=36', 'rollout.canary.weight=100', 'image.digest=sha256:' + 'a'.repeat(64)] });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /image: "layerscope@sha256:a{64}"/);
  });
});
