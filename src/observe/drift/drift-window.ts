/**
 * The live side of drift for one layer: the bins of its last `capacity` sampled values, as a ring
 * buffer with running counts per bin, so adding a value and reading the histogram are O(1)/O(bins).
 */
export class DriftWindow {
  readonly #ring: Uint8Array;
  readonly #counts: Float64Array;
  #next = 0;
  #size = 0;

  /** @param bins number of bins (≤ 256); @param capacity values kept. */
  constructor(bins: number, capacity: number) {
    if (bins < 1 || bins > 256) throw new RangeError(`a drift window has 1..256 bins, got ${bins}`);
    this.#ring = new Uint8Array(capacity);
    this.#counts = new Float64Array(bins);
  }

  push(bin: number): void {
    const counts = this.#counts;
    if (this.#size === this.#ring.length) counts[this.#ring[this.#next] as number]! -= 1;
    else this.#size++;
    this.#ring[this.#next] = bin;
    counts[bin]! += 1;
    this.#next = (this.#next + 1) % this.#ring.length;
  }

  get size(): number {
    return this.#size;
  }

  get full(): boolean {
    return this.#size === this.#ring.length;
  }

  /** Values per bin in the window (live view; do not modify). */
  get counts(): Readonly<Float64Array> {
    return this.#counts;
  }
}
