import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';

// deploy/ is the single source of truth for rules and dashboards; the chart holds copies under
// helm/layerscope/files/ because helm does not follow symlinks that leave the chart.

const PAIRS = [
  { source: 'deploy/prometheus/rules', copy: 'helm/layerscope/files/prometheus', suffix: '.rules.yaml' },
  { source: 'deploy/grafana', copy: 'helm/layerscope/files/grafana', suffix: '.json' },
];

for (const { source, copy, suffix } of PAIRS) {
  test(`${copy} is an exact copy of ${source} (run deploy/sync-chart-files.sh after editing)`, () => {
    const list = (dir: string): string[] => readdirSync(join(REPO_ROOT, dir)).filter((f) => f.endsWith(suffix)).sort();
    assert.deepEqual(list(copy), list(source), 'the same files');
    for (const file of list(source)) {
      const a = readFileSync(join(REPO_ROOT, source, file), 'utf8');
      const b = readFileSync(join(REPO_ROOT, copy, file), 'utf8');
      assert.ok(a === b, `${copy}/${file} differs from ${source}/${file}: run deploy/sync-chart-files.sh`);
    }
  });
}
