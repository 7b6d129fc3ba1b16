import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { psi, PSI_ALERT, PSI_EPSILON, PSI_WATCH } from '../../../../src/observe/drift/psi.js';

describe('psi', () => {
  test('is 0 when the live shares equal the baseline shares', () => {
    assert.equal(psi([0.25, 0.25, 0.5], [10, 10, 20]), 0);
  });

  test('computes Σ (q − p)·ln(q/p) over the bins', () => {
    const p = [0.5, 0.3, 0.2];
    const counts = [30, 30, 40];
    const expected = (0.3 - 0.5) * Math.log(0.3 / 0.5) + (0.3 - 0.3) * Math.log(1) + (0.4 - 0.2) * Math.log(0.4 / 0.2);
    assert.ok(Math.abs(psi(p, counts) - expected) < 1e-12);
  });

  test('is symmetric in baseline and live shares', () => {
    assert.ok(Math.abs(psi([0.7, 0.3], [2, 8]) - psi([0.2, 0.8], [7, 3])) < 1e-12);
  });

  test('floors an empty bin at epsilon instead of dividing by zero', () => {
    const score = psi([0.5, 0.5, 0], [50, 40, 10]);
    assert.ok(Number.isFinite(score));
    const p = [0.5, 0.5, PSI_EPSILON];
    const q = [0.5, 0.4, 0.1];
    const expected = q.reduce((s, qi, i) => s + (qi - (p[i] as number)) * Math.log(qi / (p[i] as number)), 0);
    assert.ok(Math.abs(score - expected) < 1e-12);
  });

  test('reads a tenth of the mass moved as below the watch threshold and a third as above the alert threshold', () => {
    const base = [0.25, 0.25, 0.25, 0.25];
    assert.ok(psi(base, [22.5, 22.5, 27.5, 27.5]) < PSI_WATCH);
    assert.ok(psi(base, [10, 15, 35, 40]) > PSI_ALERT);
    assert.equal(PSI_WATCH, 0.1);
    assert.equal(PSI_ALERT, 0.25);
  });

  test('rejects live counts over different bins', () => {
    assert.throws(() => psi([0.5, 0.5], [1, 2, 3]), /same bins/);
  });

  test('is 0 for an empty live window', () => {
    assert.equal(psi([0.5, 0.5], [0, 0]), 0);
  });
});
