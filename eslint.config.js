// ESLint flat config: typescript-eslint (type-aware) plus the import boundaries of DESIGN.md §2,
// enforced with no-restricted-imports per folder so a wrong-way import fails `npm run lint`.
import tseslint from 'typescript-eslint';

/** Modules only some folders may import (DESIGN.md §2). Owners are folder prefixes. */
const OWNED = [
  { modules: ['onnxruntime-node'], owners: ['src/runtime/onnx'] },
  { modules: ['node:worker_threads', 'worker_threads'], owners: ['src/runtime/worker'] },
  { modules: ['prom-client'], owners: ['src/observe/metrics'] },
  { modules: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/instrumentation*', '@opentelemetry/resources'], owners: ['src/observe/tracing'] },
  { modules: ['fastify', '@fastify/*'], owners: ['src/server', 'src/observe/metrics', 'src/app.ts', 'src/compose.ts'] },
  { modules: ['pino'], owners: ['src/observe/logging'] },
];

/** Dependency direction: folder → folders it must not import values from (types are fine). */
const LAYERS = {
  'src/types': ['config', 'server', 'protocol', 'dataplane', 'batching', 'runtime', 'repository', 'observe', 'onnx', 'cli'],
  'src/errors': ['server', 'protocol', 'dataplane', 'batching', 'runtime', 'repository', 'observe', 'onnx', 'cli'],
  'src/config': ['server', 'protocol', 'dataplane', 'batching', 'runtime', 'repository', 'observe', 'onnx', 'cli'],
  'src/onnx': ['server', 'protocol', 'dataplane', 'batching', 'runtime', 'repository', 'cli'],
  'src/runtime': ['server', 'protocol', 'dataplane', 'batching', 'repository', 'cli'],
  'src/runtime/onnx': ['server', 'protocol', 'dataplane', 'batching', 'repository', 'cli'],
  'src/runtime/worker': ['server', 'protocol', 'dataplane', 'batching', 'repository', 'cli'],
  'src/batching': ['server', 'protocol', 'dataplane', 'repository', 'cli'],
  'src/repository': ['server', 'protocol', 'dataplane', 'batching', 'cli'],
  'src/dataplane': ['server', 'protocol', 'cli'],
  'src/protocol': ['server', 'dataplane', 'batching', 'runtime', 'repository', 'cli'],
  'src/observe': ['server', 'protocol', 'cli'],
  'src/observe/logging': ['server', 'protocol', 'cli'],
  'src/observe/metrics': ['protocol', 'cli'],
  'src/observe/tracing': ['server', 'protocol', 'cli'],
  'src/server': ['cli'],
  'src/cli': [],
  // Generic helpers (ring buffer): used by every layer, they depend on none.
  'src/util': ['types', 'errors', 'config', 'server', 'protocol', 'dataplane', 'batching', 'runtime', 'repository', 'observe', 'onnx', 'cli'],
};

const owns = (owners, folder) => owners.some((o) => folder === o || folder.startsWith(`${o}/`));

function restrictionsFor(folder) {
  const patterns = [];
  for (const { modules, owners } of OWNED) {
    if (!owns(owners, folder)) patterns.push({ group: modules, allowTypeImports: true, message: `only ${owners.join(', ')} may import ${modules.join(', ')} (DESIGN.md §2)` });
  }
  for (const target of LAYERS[folder] ?? []) {
    patterns.push({
      group: [`**/${target}/**`, `../${target}/*`, `./${target}/*`],
      allowTypeImports: true,
      message: `${folder} must not depend on src/${target} (dependency direction, DESIGN.md §2)`,
    });
  }
  return ['error', { patterns }];
}

// General folders first: for a file matched by several entries, the last (most specific) wins.
const boundaries = Object.keys(LAYERS)
  .sort((a, b) => a.length - b.length)
  .map((folder) => ({ files: [`${folder}/**/*.ts`], rules: { '@typescript-eslint/no-restricted-imports': restrictionsFor(folder) } }));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'helm/**', 'deploy/**', 'test/fixtures/**', '.venv/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...boundaries,
  // node:test's test()/describe() return promises the runner tracks itself.
  { files: ['test/**/*.ts'], rules: { 'no-console': 'off', '@typescript-eslint/no-floating-promises': 'off' } },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
