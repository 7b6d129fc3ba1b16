import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeLoaded } from '../../helpers/app.js';
import { REPO_ROOT } from '../../helpers/paths.js';

test('docs/metrics.md documents every metric the server registers, with its type', async () => {
  const services = await composeLoaded();
  try {
    const res = await services.metricsApp!.inject({ method: 'GET', url: '/metrics' });
    const registered = [...res.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => ({ name: m[1]!, type: m[2]! }));
    assert.ok(registered.length > 40);
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');
    const missing: string[] = [];
    for (const { name, type } of registered) {
      // A row names the metric (or its family prefix with `_suffix` shorthands) and its type.
      const base = name.replace(/_(min|max|mean|stddev|p50|p90|p99)_seconds$/, '_seconds');
      const rows = doc.split('\n').filter((l) => l.startsWith('|') && (l.includes(`\`${name}\``) || (base !== name && l.includes(`\`${base.replace(/_seconds$/, '')}_`))));
      if (!rows.some((r) => r.includes(`| ${type} |`))) missing.push(`${name} (${type})`);
    }
    assert.deepEqual(missing, [], 'registered but not documented');
  } finally {
    await services.shutdown();
  }
});

test('every layerscope_ metric named in docs/metrics.md is registered', async () => {
  const services = await composeLoaded();
  try {
    const text = (await services.metricsApp!.inject({ method: 'GET', url: '/metrics' })).body;
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'metrics.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/`(layerscope_[a-z_]+)`/g)].map((m) => m[1]!));
    for (const name of documented) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is documented but not registered`);
  } finally {
    await services.shutdown();
  }
});
