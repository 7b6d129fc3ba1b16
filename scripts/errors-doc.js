#!/usr/bin/env node
// Regenerates the catalogue table of docs/errors.md from src/errors/codes.ts (run after `npm run build`).
// test/unit/errors/catalogue.test.ts fails when the document and the catalogue disagree.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { ERROR_CATALOGUE } = await import(new URL('dist/src/errors/codes.js', root));
const { STATUS_BY_KIND } = await import(new URL('dist/src/server/http/error-mapping.js', root));
const path = new URL('docs/errors.md', root);
const doc = readFileSync(path, 'utf8');
const marker = '| code | kind | status | message |';
const head = doc.slice(0, doc.indexOf(marker));
let table = `${marker}\n|---|---|---|---|\n`;
for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
  table += `| \`${code}\` | ${entry.kind} | ${STATUS_BY_KIND[entry.kind]} | ${entry.message.replaceAll('|', '\\|')} |\n`;
}
writeFileSync(path, head + table);
