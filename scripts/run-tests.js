#!/usr/bin/env node
// Runs every compiled test file under dist/test (unit, integration, e2e, helm) with node:test.
// Node 20's --test takes no globs, so the files are listed here. Benchmarks (test/bench) never run.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const base = join(root, 'dist', 'test');
const only = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      // dist/test/bench holds the benchmarks; their unit tests live under dist/test/unit/bench.
      if (path !== join(base, 'bench') && name !== 'helpers' && name !== 'fixtures') out.push(...collect(path));
    } else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

let files = collect(base);
if (only.length > 0) files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));
if (files.length === 0) {
  console.error('no test files found under dist/test; did the build run?');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
