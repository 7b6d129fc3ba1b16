import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { MODELS_DIR } from './paths.js';

export const SHIPPED_MODELS = ['breast-cancer-mlp', 'digits-cnn', 'digits-transformer'] as const;

export interface V2Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: number[];
}

export interface Golden {
  input: { id: string; inputs: V2Tensor[] };
  output: { model_name: string; model_version: string; id: string; outputs: V2Tensor[] };
  inputText: string;
}

export function readGolden(model: string): Golden {
  const dir = join(MODELS_DIR, model, '1', 'golden');
  const inputText = readFileSync(join(dir, 'input.json'), 'utf8');
  return {
    input: JSON.parse(inputText) as Golden['input'],
    output: JSON.parse(readFileSync(join(dir, 'output.json'), 'utf8')) as Golden['output'],
    inputText,
  };
}

/** Float comparison with a relative+absolute tolerance, naming the first element that differs. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${label}[${i}]: got ${a}, expected ${e}`);
  }
}
