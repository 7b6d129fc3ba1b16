import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';

// deploy/local/run.sh starts layerscope, Debian's prometheus (and grafana-server when present).
// Running it is the e2e test's job; here: it parses, and it wires the shipped files together.

const script = join(REPO_ROOT, 'deploy/local/run.sh');

test('deploy/local/run.sh is valid bash', () => {
  const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});

test('deploy/local/run.sh uses the shipped scrape config, rules and dashboards', () => {
  const text = readFileSync(script, 'utf8');
  assert.match(text, /deploy\/prometheus\/prometheus\.yml/);
  assert.match(text, /deploy\/prometheus\/rules\/\*\.rules\.yaml/);
  assert.match(text, /path: \$\{root\}\/deploy\/grafana/);
  assert.match(text, /bin\/layerscope\.js" serve --model-repository "\$root\/models"/);
  assert.match(text, /trap cleanup EXIT INT TERM/, 'stops what it started');
});
