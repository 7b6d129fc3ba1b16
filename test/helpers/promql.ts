import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CI_VALUES_DIR, ofKind, renderChart, type K8sObject } from '../helm/helm-cli.js';
import { REPO_ROOT } from './paths.js';

/**
 * Every PromQL expression that ships with layerscope, ready to run against a Prometheus that
 * scrapes a plain local server (deploy/prometheus/prometheus.yml: job "layerscope", no Kubernetes
 * labels). Used by the rule/dashboard tests here and by the Prometheus e2e test:
 *
 *   for (const { source, location, expr } of allPromqlExpressions()) await query(expr);
 *
 * - Grafana variables are replaced: label variables ($namespace, $job, $model, $layer, ...) by
 *   `.*` (dashboards use them only with =~, and `=~".*"` also matches an absent label), and
 *   $__rate_interval / $__interval / $__range by fixed durations (GRAFANA_DURATIONS).
 * - The AnalysisTemplate is rendered from the chart (ci/argo-values.yaml) and its Argo arguments
 *   `{{args.name}}` are replaced by ANALYSIS_ARGS: all empty, because `label=""` matches series
 *   that lack the label, so the canary selector matches the local scrape.
 */
export interface PromqlExpression {
  /** Where it comes from: `grafana/oncall.json`, `analysis-template`, `rules/...`. */
  readonly source: string;
  /** Panel title and target refId, Argo metric name, or rule name. */
  readonly location: string;
  readonly expr: string;
}

export const DASHBOARDS_DIR = join(REPO_ROOT, 'deploy', 'grafana');
export const RULES_DIR = join(REPO_ROOT, 'deploy', 'prometheus', 'rules');

/** Durations substituted for Grafana's interval variables. */
export const GRAFANA_DURATIONS: Readonly<Record<string, string>> = { __rate_interval: '1m', __interval: '15s', __range: '5m' };

/** Values substituted for the AnalysisTemplate's `{{args.*}}` (empty: match the local scrape). */
export const ANALYSIS_ARGS: Readonly<Record<string, string>> = { namespace: '', instance: '', 'canary-hash': '' };

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string; readonly refId?: string }[];
  readonly panels?: readonly Panel[];
}

/** Replace Grafana variables (`$x`, `${x}`, `[[x]]`) by durations or `.*`. */
export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_m, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return GRAFANA_DURATIONS[name] ?? '.*';
  });
}

/** Dashboard JSON files in deploy/grafana. */
export function dashboardFiles(): string[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(DASHBOARDS_DIR, f));
}

/** Every panel target's expression in deploy/grafana/*.json (`raw` keeps the Grafana variables). */
export function dashboardExpressions(options: { raw?: boolean } = {}): PromqlExpression[] {
  const out: PromqlExpression[] = [];
  for (const file of dashboardFiles()) {
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels?: Panel[] };
    const visit = (panels: readonly Panel[]): void => {
      for (const panel of panels) {
        for (const target of panel.targets ?? []) {
          if (!target.expr) continue;
          out.push({ source: `grafana/${file.split('/').pop()}`, location: `${panel.title ?? '(untitled)'} [${target.refId ?? '?'}]`, expr: options.raw ? target.expr : substituteGrafanaVariables(target.expr) });
        }
        visit(panel.panels ?? []);
      }
    };
    visit(dashboard.panels ?? []);
  }
  return out;
}

/** Replace Argo's `{{args.name}}` placeholders. */
export function substituteAnalysisArgs(query: string, args: Readonly<Record<string, string>> = ANALYSIS_ARGS): string {
  return query.replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (_m, name: string) => {
    const value = args[name];
    if (value === undefined) throw new Error(`no value for Argo argument '${name}'`);
    return value;
  });
}

interface AnalysisMetric {
  readonly name: string;
  readonly provider?: { readonly prometheus?: { readonly query?: string } };
}

/** The Prometheus queries of the chart's AnalysisTemplate (rendered with ci/argo-values.yaml). */
export function analysisTemplateExpressions(options: { args?: Readonly<Record<string, string>>; objects?: readonly K8sObject[] } = {}): PromqlExpression[] {
  const objects = options.objects ?? renderChart({ valuesFiles: [join(CI_VALUES_DIR, 'argo-values.yaml')] });
  const out: PromqlExpression[] = [];
  for (const template of ofKind(objects, 'AnalysisTemplate')) {
    const metrics = ((template.spec ?? {})['metrics'] ?? []) as AnalysisMetric[];
    for (const metric of metrics) {
      const query = metric.provider?.prometheus?.query;
      if (query) out.push({ source: 'analysis-template', location: metric.name, expr: substituteAnalysisArgs(query.trim(), options.args) });
    }
  }
  return out;
}

interface RuleGroup {
  readonly name: string;
  readonly rules: readonly { readonly record?: string; readonly alert?: string; readonly expr: string }[];
}

/** Every rule expression in deploy/prometheus/rules/*.rules.yaml. */
export function ruleExpressions(): PromqlExpression[] {
  const out: PromqlExpression[] = [];
  for (const name of readdirSync(RULES_DIR).filter((f) => f.endsWith('.rules.yaml')).sort()) {
    const { groups } = parse(readFileSync(join(RULES_DIR, name), 'utf8')) as { groups: RuleGroup[] };
    for (const group of groups) {
      for (const rule of group.rules) out.push({ source: `rules/${name}`, location: `${group.name}/${rule.record ?? rule.alert ?? '?'}`, expr: rule.expr.trim() });
    }
  }
  return out;
}

/** Dashboards and AnalysisTemplate (what the issue asks the e2e test to run); rules on request. */
export function allPromqlExpressions(options: { rules?: boolean } = {}): PromqlExpression[] {
  return [...dashboardExpressions(), ...analysisTemplateExpressions(), ...(options.rules ? ruleExpressions() : [])];
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * Metric names an expression reads (recording-rule names included), found by a small scanner:
 * strings, label matchers `{...}`, ranges `[...]` and label lists of by/without/on/ignoring/group_*
 * are removed; identifiers followed by `(` are functions.
 */
export function metricNames(expr: string): string[] {
  let text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  text = text.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/[A-Za-z0-9_:.]+/g)) {
    const name = match[0];
    const rest = text.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(name.toLowerCase())) continue;
    if (/^[0-9.]/.test(name)) continue; // numbers and durations
    names.add(name);
  }
  return [...names].sort();
}
