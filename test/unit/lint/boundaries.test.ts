import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { REPO_ROOT } from '../../helpers/paths.js';

// The import boundaries of DESIGN.md §2 are enforced by eslint.config.js; these cases prove the
// rules fire (and stay quiet where an import is allowed).
// Probe files do not exist on disk, so type-aware parsing is switched off for them.
const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfig: tseslint.configs.disableTypeChecked });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

test('rejects onnxruntime-node imported outside src/runtime/onnx', async () => {
  const messages = await restrictedImports('src/dataplane/lint-probe.ts', "import * as ort from 'onnxruntime-node';\nexport const x = ort;\n");
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /only src\/runtime\/onnx may import onnxruntime-node/);
});

test('allows onnxruntime-node inside src/runtime/onnx', async () => {
  assert.deepEqual(await restrictedImports('src/runtime/onnx/lint-probe.ts', "import * as ort from 'onnxruntime-node';\nexport const x = ort;\n"), []);
});

test('rejects worker_threads, prom-client and the OpenTelemetry SDK outside their folders', async () => {
  const code = "import { Worker } from 'node:worker_threads';\nimport { Registry } from 'prom-client';\nimport { NodeSDK } from '@opentelemetry/sdk-node';\nexport const x = [Worker, Registry, NodeSDK];\n";
  assert.equal((await restrictedImports('src/batching/lint-probe.ts', code)).length, 3);
});

test('rejects a value import against the dependency direction but allows a type import', async () => {
  const wrong = await restrictedImports('src/runtime/lint-probe.ts', "import { Dataplane } from '../dataplane/dataplane.js';\nexport const x = Dataplane;\n");
  assert.equal(wrong.length, 1);
  assert.match(wrong[0]!, /src\/runtime must not depend on src\/dataplane/);
  const typeOnly = await restrictedImports('src/batching/lint-probe.ts', "import type { ResolvedModelConfig } from '../repository/derive-config.js';\nexport type X = ResolvedModelConfig;\n");
  assert.deepEqual(typeOnly, []);
});
