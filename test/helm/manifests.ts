import type { K8sObject } from './helm-cli.js';

/** Loose shapes of the parts of rendered objects the tests read. */
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly args?: string[];
  readonly command?: string[];
  readonly env?: { name: string; value?: string; valueFrom?: { resourceFieldRef?: { resource: string } } }[];
  readonly ports?: { name: string; containerPort: number }[];
  readonly startupProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly lifecycle?: { preStop?: { exec?: { command: string[] } } };
  readonly resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  readonly securityContext?: Record<string, unknown>;
  readonly volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
}
export interface Probe {
  readonly httpGet?: { path: string; port: string | number };
}
export interface PodSpec {
  readonly containers: Container[];
  readonly initContainers?: Container[];
  readonly volumes?: { name: string; emptyDir?: unknown; persistentVolumeClaim?: { claimName: string; readOnly?: boolean }; configMap?: { name: string } }[];
  readonly securityContext?: Record<string, unknown>;
  readonly terminationGracePeriodSeconds?: number;
  readonly automountServiceAccountToken?: boolean;
  readonly runtimeClassName?: string;
  readonly tolerations?: unknown[];
  readonly nodeSelector?: Record<string, string>;
  readonly serviceAccountName?: string;
}
export interface PodTemplate {
  readonly metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  readonly spec: PodSpec;
}

/** Workloads (Deployment, Rollout) with their pod templates. */
export function workloads(objects: readonly K8sObject[]): { object: K8sObject; template: PodTemplate }[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout')
    .map((object) => ({ object, template: (object.spec as { template: PodTemplate }).template }));
}

/** Every pod spec the chart renders: workload templates and bare Pods (the helm test). */
export function podSpecs(objects: readonly K8sObject[]): { owner: string; labels: Record<string, string>; spec: PodSpec }[] {
  const out = workloads(objects).map(({ object, template }) => ({ owner: `${object.kind}/${object.metadata.name}`, labels: template.metadata.labels, spec: template.spec }));
  for (const pod of objects.filter((o) => o.kind === 'Pod')) out.push({ owner: `Pod/${pod.metadata.name}`, labels: pod.metadata.labels ?? {}, spec: pod.spec as unknown as PodSpec });
  return out;
}

/** The server container of a pod template. */
export function server(template: PodTemplate): Container {
  const container = template.spec.containers.find((c) => c.name === 'layerscope');
  if (!container) throw new Error('no layerscope container');
  return container;
}

/** Plain env values of a container (resourceFieldRef values resolved by `resolve`). */
export function envOf(container: Container, resolve: (resource: string) => string = () => '2'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.resourceFieldRef) env[e.name] = resolve(e.valueFrom.resourceFieldRef.resource);
  }
  return env;
}

/** Does a matchLabels selector select these labels? */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in [${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}]`);
  return found;
}
