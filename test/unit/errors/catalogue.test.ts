import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATALOGUE, formatMessage, type ErrorCode } from '../../../src/errors/codes.js';
import { STATUS_BY_KIND } from '../../../src/server/http/error-mapping.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'errors.md'), 'utf8');
const rows = new Map(
  [...doc.matchAll(/^\| `(LS_ERR_[A-Z0-9_]+)` \| (\w+) \| (\d+) \|/gm)].map((m) => [m[1]!, { kind: m[2]!, status: Number(m[3]) }]),
);

test('docs/errors.md documents every catalogue code with its kind and HTTP status', () => {
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    const row = rows.get(code);
    assert.ok(row, `${code} is missing from docs/errors.md`);
    assert.equal(row.kind, entry.kind, `${code} kind`);
    assert.equal(row.status, STATUS_BY_KIND[entry.kind], `${code} status`);
  }
});

test('docs/errors.md lists no code that the catalogue does not have', () => {
  for (const code of rows.keys()) assert.ok(code in ERROR_CATALOGUE, `${code} is documented but not in the catalogue`);
});

test('every code follows LS_ERR_<AREA>_<WHAT>', () => {
  for (const code of Object.keys(ERROR_CATALOGUE)) assert.match(code, /^LS_ERR_[A-Z0-9]+_[A-Z0-9_]+$/);
});

test('messages fill their placeholders and keep unknown ones visible', () => {
  const code: ErrorCode = 'LS_ERR_INPUT_DATATYPE';
  assert.equal(
    formatMessage(code, { input: 'x', received: 'INT32', model: 'm', expected: 'FP32' }),
    "inference input 'x' data-type is 'INT32', but model 'm' expects 'FP32'",
  );
  assert.match(formatMessage(code, {}), /\{input\}/);
});
