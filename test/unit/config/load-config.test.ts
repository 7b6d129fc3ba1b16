import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config/load-config.js';
import { OPTIONS } from '../../../src/config/options.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const files = (content: object) => ({ readFile: () => JSON.stringify(content) });

test('defaults serve ./models on 8000 with metrics on 8002 and a 64 MiB body limit', () => {
  const config = loadConfig();
  assert.equal(config.modelRepository, './models');
  assert.equal(config.http.port, 8000);
  assert.equal(config.metrics.port, 8002);
  assert.equal(config.http.bodyLimitBytes, 64 * 1024 * 1024);
  assert.ok(Object.isFrozen(config.http));
});

test('precedence is defaults < file < LAYERSCOPE_* env < flags', () => {
  const config = loadConfig({
    argv: ['--config', 'server.json', '--http-port', '9003'],
    env: { LAYERSCOPE_HTTP_PORT: '9002', LAYERSCOPE_METRICS_PORT: '9102', LAYERSCOPE_LOG_LEVEL: 'warn' },
    ...files({ http: { port: 9001, host: '127.0.0.1' }, metrics: { port: 9101 }, shutdown: { gracePeriodMs: 5 } }),
  });
  assert.equal(config.http.port, 9003);
  assert.equal(config.http.host, '127.0.0.1');
  assert.equal(config.metrics.port, 9102);
  assert.equal(config.log.level, 'warn');
  assert.equal(config.shutdown.gracePeriodMs, 5);
});

test('the config file can come from LAYERSCOPE_CONFIG', () => {
  const config = loadConfig({ env: { LAYERSCOPE_CONFIG: 'x.json' }, ...files({ modelRepository: '/srv/models' }) });
  assert.equal(config.modelRepository, '/srv/models');
});

test('rejects every problem at once: unknown flag, bad integer, unknown key, out-of-range port', () => {
  assert.throws(
    () =>
      loadConfig({
        argv: ['--config', 'c.json', '--htp-port', '1', '--metrics-port', 'abc'],
        env: { LAYERSCOPE_HTTP_PORT: '70000' },
        ...files({ http: { prot: 1 } }),
      }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /unknown flag '--htp-port'/);
      assert.match(err.message, /--metrics-port: expected an integer, got 'abc'/);
      assert.match(err.message, /prot/);
      assert.match(err.message, /65535/);
      return true;
    },
  );
});

test('boolean and list flags parse, including --no-<flag>', () => {
  const config = loadConfig({ argv: ['--no-repository-api', '--execution-providers', 'cuda,cpu'] });
  assert.equal(config.repository.apiEnabled, false);
  assert.deepEqual(config.runtime.executionProviders, ['cuda', 'cpu']);
});

test('docs/config.md documents every flag and its environment variable', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'config.md'), 'utf8');
  for (const option of OPTIONS) {
    assert.ok(doc.includes(`--${option.flag}`), `--${option.flag} missing from docs/config.md`);
    assert.ok(doc.includes(option.env), `${option.env} missing from docs/config.md`);
    assert.ok(doc.includes(`\`${option.path}\``), `${option.path} missing from docs/config.md`);
  }
});
