/**
 * Population stability index (PSI) between a baseline distribution and a live one over the same
 * bins:
 *
 *   PSI = Σᵢ (qᵢ − pᵢ) · ln(qᵢ / pᵢ)
 *
 * where pᵢ is the baseline share and qᵢ the live share of bin i, each floored at ε = 1e-4 so an
 * empty bin contributes a large but finite term instead of ±∞. PSI is a symmetrised KL divergence
 * (J-divergence); it is 0 for identical shares and grows with every shift of mass between bins.
 * Conventional reading (credit-scoring practice, also used by most ML monitoring tools):
 * < 0.1 stable, 0.1–0.25 moderate shift (watch), > 0.25 significant shift (alert). The shipped
 * alert rule fires above PSI_ALERT.
 */

export const PSI_EPSILON = 1e-4;
/** Below this: no meaningful change. */
export const PSI_WATCH = 0.1;
/** Above this: the distribution has shifted significantly. */
export const PSI_ALERT = 0.25;

/**
 * PSI of live bin counts against baseline shares (both over the same bins). Shares need not sum
 * to exactly 1 (they are rounded in baseline.json). Returns 0 when `liveCounts` is empty.
 */
export function psi(baselineShares: ArrayLike<number>, liveCounts: ArrayLike<number>, epsilon = PSI_EPSILON): number {
  if (baselineShares.length !== liveCounts.length) {
    throw new RangeError(`PSI needs the same bins: ${baselineShares.length} baseline shares, ${liveCounts.length} live counts`);
  }
  let total = 0;
  for (let i = 0; i < liveCounts.length; i++) total += liveCounts[i] as number;
  if (total === 0) return 0;
  let score = 0;
  for (let i = 0; i < liveCounts.length; i++) {
    const p = Math.max(baselineShares[i] as number, epsilon);
    const q = Math.max((liveCounts[i] as number) / total, epsilon);
    score += (q - p) * Math.log(q / p);
  }
  return score;
}
