/**
 * Buckets of the `layerscope_layer_activation` histogram: symmetric log buckets, so one set of
 * bounds resolves a layer whose values live around 1e-2 as well as one around 1e+2 (DESIGN.md §5).
 *
 *   -1000, -300, -100, -30, -10, -3, -1, -0.3, -0.1, -0.03, -0.01, -0.003, -0.001,
 *   0,
 *   0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000   (+Inf)
 *
 * Two bounds per decade (1 and 3, ≈ √10 apart) over ±1e-3…1e3, plus 0: 27 finite bounds and +Inf,
 * 28 `_bucket` series per layer. Cumulative (`le`) semantics as Prometheus defines them: bucket i
 * counts values ≤ bound i, so exact zeros (and |v| < 1e-3 of either sign) land in `le="0"` or
 * `le="0.001"`; values below -1000 only in the lowest bucket; above 1000 only in `+Inf`.
 * Non-finite values are never observed (they are counted by `layerscope_layer_nonfinite_total`).
 */
function symmetricLogBounds(): Float64Array {
  const positive: number[] = [];
  for (let exp = -3; exp <= 3; exp++) {
    positive.push(Number(`1e${exp}`));
    if (exp < 3) positive.push(Number(`3e${exp}`));
  }
  return Float64Array.from([...positive.map((v) => -v).reverse(), 0, ...positive]);
}

/** Finite upper bounds, ascending; the implicit last bucket is +Inf. */
export const ACTIVATION_BUCKETS: Readonly<Float64Array> = symmetricLogBounds();

/** Number of buckets including +Inf. */
export const ACTIVATION_BUCKET_COUNT = ACTIVATION_BUCKETS.length + 1;

/**
 * Index of the (non-cumulative) bucket a finite value falls in: the first bound ≥ value, or the
 * +Inf bucket (index ACTIVATION_BUCKETS.length). Binary search: 5 comparisons.
 */
export function activationBucket(value: number): number {
  const bounds = ACTIVATION_BUCKETS;
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (bounds[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
