import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR } from '../../helpers/paths.js';

/** Path of a fixture made by test/fixtures/onnx/make-fixtures.mjs. */
export function onnxFixture(name: string): string {
  return join(FIXTURES_DIR, 'onnx', name);
}

/** Bytes of a fixture model. */
export function onnxFixtureBytes(name: string): Uint8Array {
  return readFileSync(onnxFixture(name));
}
