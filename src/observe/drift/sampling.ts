/** Small, seedable randomness for the subsampling of activations (tests pass a seed). */

/** mulberry32: a 32-bit PRNG, uniform in [0, 1). Plenty for picking sample offsets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Calls `visit` with `count` elements of `data` spread evenly over it, from a random start
 * (a systematic sample: every element is equally likely to be picked, whatever the tensor's
 * layout, and rows are covered evenly). All elements when count ≥ data.length.
 */
export function stridedSample(data: ArrayLike<number>, count: number, random: () => number, visit: (value: number) => void): void {
  const n = data.length;
  if (count >= n) {
    for (let i = 0; i < n; i++) visit(data[i] as number);
    return;
  }
  if (count <= 0) return;
  const stride = n / count;
  let position = random() * stride;
  for (let k = 0; k < count; k++, position += stride) visit(data[Math.floor(position)] as number);
}

/**
 * A uniform sample of at most `capacity` values from a stream (Vitter's algorithm R), with the
 * exact count, mean and variance of every value offered (Welford). Only finite values are kept:
 * NaN and ±Inf are counted elsewhere (layerscope_layer_nonfinite_total).
 */
export class ValueReservoir {
  readonly #capacity: number;
  readonly #random: () => number;
  #values: Float64Array;
  #size = 0;
  #seen = 0;
  #mean = 0;
  #m2 = 0;
  #min = Infinity;
  #max = -Infinity;
  #zeros = 0;

  constructor(capacity: number, random: () => number) {
    this.#capacity = capacity;
    this.#random = random;
    this.#values = new Float64Array(Math.min(capacity, 1024));
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    this.#seen++;
    const delta = value - this.#mean;
    this.#mean += delta / this.#seen;
    this.#m2 += delta * (value - this.#mean);
    if (value === 0) this.#zeros++;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    if (this.#size < this.#capacity) {
      if (this.#size === this.#values.length) {
        const grown = new Float64Array(Math.min(this.#capacity, this.#values.length * 2));
        grown.set(this.#values);
        this.#values = grown;
      }
      this.#values[this.#size++] = value;
      return;
    }
    const slot = Math.floor(this.#random() * this.#seen);
    if (slot < this.#capacity) this.#values[slot] = value;
  }

  /** Finite values offered. */
  get seen(): number {
    return this.#seen;
  }

  /** The sample, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.#values.slice(0, this.#size).sort();
  }

  /** Count, mean, population std, min, max and zero share of everything offered. */
  stats(): { count: number; mean: number; std: number; min: number; max: number; zeroFraction: number } {
    const n = this.#seen;
    return {
      count: n,
      mean: this.#mean,
      std: n > 0 ? Math.sqrt(this.#m2 / n) : 0,
      min: n > 0 ? this.#min : 0,
      max: n > 0 ? this.#max : 0,
      zeroFraction: n > 0 ? this.#zeros / n : 0,
    };
  }
}
