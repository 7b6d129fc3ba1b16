import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { dashboardExpressions, dashboardFiles } from '../helpers/promql.js';

// deploy/grafana: three dashboards (overview, on-call, model internals) that import cleanly into
// Grafana through the sidecar or provisioning: unique uids, a datasource variable, every panel
// on it, every variable they use defined, no overlapping panels.

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { uid: string } }[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  tags: string[];
  templating: { list: { name: string; type: string }[] };
  panels: Panel[];
}

const dashboards = dashboardFiles().map((file) => ({ file: basename(file), json: JSON.parse(readFileSync(file, 'utf8')) as Dashboard }));

describe('grafana dashboards', () => {
  test('the overview, on-call and model internals dashboards exist with unique uids', () => {
    assert.deepEqual(dashboards.map((d) => d.file), ['model-internals.json', 'oncall.json', 'overview.json']);
    const uids = dashboards.map((d) => d.json.uid);
    assert.equal(new Set(uids).size, uids.length);
    for (const { json } of dashboards) {
      assert.ok(json.uid.length <= 40 && /^[a-z0-9-]+$/.test(json.uid), json.uid);
      assert.ok(json.tags.includes('layerscope'));
      assert.ok(json.schemaVersion >= 36);
    }
  });
  for (const { file, json } of dashboards) {
    test(`${file}: panels use the datasource variable, defined variables only, and do not overlap`, () => {
      const variables = new Set(json.templating.list.map((v) => v.name));
      assert.equal(json.templating.list.find((v) => v.name === 'datasource')?.type, 'datasource');
      const ids = new Set<number>();
      const cells = new Set<string>();
      for (const panel of json.panels) {
        assert.ok(!ids.has(panel.id), `duplicate panel id ${panel.id}`);
        ids.add(panel.id);
        const { x, y, w, h } = panel.gridPos;
        assert.ok(x >= 0 && w > 0 && x + w <= 24, `${panel.title}: fits 24 columns`);
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            assert.ok(!cells.has(`${i},${j}`), `${panel.title} overlaps another panel at ${i},${j}`);
            cells.add(`${i},${j}`);
          }
        }
        if (panel.type === 'row') continue;
        assert.equal(panel.datasource?.uid, '${datasource}', `${panel.title}: datasource variable`);
        assert.ok((panel.targets ?? []).length > 0, `${panel.title}: has queries`);
        for (const target of panel.targets ?? []) {
          for (const m of target.expr.matchAll(/\$\{?(\w+)/g)) {
            const name = m[1] ?? '';
            assert.ok(name.startsWith('__') || variables.has(name), `${panel.title}: undefined variable $${name}`);
          }
        }
      }
    });
  }
  test('the model internals dashboard shows per-layer latency, an activation heatmap and drift', () => {
    const internals = dashboardExpressions().filter((e) => e.source.endsWith('model-internals.json')).map((e) => e.expr).join('\n');
    for (const metric of ['layerscope_layer_duration_seconds_bucket', 'layerscope_layer_activation_bucket', 'layerscope_layer_drift_score', 'layerscope_model_drift_score', 'layerscope_layer_nonfinite_total', 'layerscope_layer_zero_fraction']) {
      assert.ok(internals.includes(metric), metric);
    }
    const heatmaps = dashboards.find((d) => d.file === 'model-internals.json')?.json.panels.filter((p) => p.type === 'heatmap') ?? [];
    assert.ok(heatmaps.length > 0);
  });
});
