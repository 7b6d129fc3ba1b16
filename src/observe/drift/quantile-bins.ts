/**
 * Bins for drift: edges from the baseline's quantiles, right-closed, open at both ends:
 * (−∞, e₀], (e₀, e₁], …, (eₖ₋₁, +∞). Equal-share bins put resolution where the baseline has its
 * mass, whatever the layer's scale.
 */

/** Bins per layer when a baseline is built (10: PSI's sampling noise grows with the bin count). */
export const DEFAULT_BINS = 10;

/** First index in `sorted` whose value is > `value` (sorted ascending). */
function upperBound(sorted: ArrayLike<number>, value: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Interior edges that split `sorted` (ascending, finite) into at most `bins` right-closed bins of
 * about equal count. A value repeated many times (the zeros of a ReLU) gets a bin of its own and
 * the remaining bins are spread over the remaining values, so an atom does not eat the
 * resolution of the rest. Fewer edges come back when there are few distinct values.
 */
export function quantileEdges(sorted: ArrayLike<number>, bins = DEFAULT_BINS): number[] {
  const n = sorted.length;
  const edges: number[] = [];
  let start = 0;
  for (let left = bins; left > 1 && start < n; left--) {
    const target = start + Math.ceil((n - start) / left);
    const edge = sorted[Math.min(target, n) - 1] as number;
    const end = upperBound(sorted, edge, start);
    if (end >= n) break; // the rest is one value: the last bin holds it
    edges.push(edge);
    start = end;
  }
  return edges;
}

/** Bin of a value: the first edge ≥ value, or edges.length (−∞ → 0, +∞ → last). NaN: -1. */
export function binIndex(edges: ArrayLike<number>, value: number): number {
  if (value !== value) return -1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Share of `values` per bin (edges.length + 1 bins); NaN values are left out. */
export function binShares(edges: ArrayLike<number>, values: ArrayLike<number>): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const bin = binIndex(edges, values[i] as number);
    if (bin < 0) continue;
    counts[bin] = (counts[bin] as number) + 1;
    total++;
  }
  return counts.map((c) => (total === 0 ? 0 : c / total));
}
